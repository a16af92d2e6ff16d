import type { Telemetry } from 'bullmq';
import type { TraceExporterKind } from './tracing-env';

/** A process's tracing, when it is on. */
export interface Tracing {
  /** Where spans go. */
  readonly exporter: TraceExporterKind;
  /** `service.name` on every span of this process. */
  readonly serviceName: string;
  /** BullMQ's `telemetry` option (bullmq-otel), for every Queue and Worker of the process. */
  readonly telemetry: Telemetry;
  /** Exports the spans still held, then stops. Registered as the last shutdown step. */
  shutdown(): Promise<void>;
}
