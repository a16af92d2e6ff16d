import { hostname } from 'node:os';
import { diag, DiagLogLevel, SpanKind, trace, type Attributes, type Context, type Link } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { BullMQOtel } from 'bullmq-otel';
import type { Logger } from '../logger';
import { otlpHeaders, otlpTracesUrl, type TraceExporterKind, type TracingEnv } from './tracing-env';
import type { Tracing } from './tracing';

/**
 * The OpenTelemetry SDK, set up from the environment. Loaded only when tracing
 * is on (start-tracing.ts imports this file lazily): a process that traces
 * nothing never loads the SDK.
 */
export function startTracingSdk(env: TracingEnv, exporterKind: TraceExporterKind, serviceName: string, logger: Logger): Tracing {
  // Export failures (a collector down) are warnings in our log, not silence.
  diag.setLogger(
    {
      error: (message, ...args) => logger.warn({ args }, `tracing: ${message}`),
      warn: (message, ...args) => logger.warn({ args }, `tracing: ${message}`),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const exporter: SpanExporter =
    exporterKind === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter({ url: otlpTracesUrl(env), headers: otlpHeaders(env) });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName, 'service.instance.id': `${hostname()}:${process.pid}` }),
    sampler: new WithoutBackgroundRoots(samplerOf(env)),
    spanProcessors: [
      new BatchSpanProcessor(exporter, { scheduledDelayMillis: env.OTEL_BSP_SCHEDULE_DELAY, maxQueueSize: env.OTEL_BSP_MAX_QUEUE_SIZE }),
    ],
  });
  // The global provider, the AsyncLocalStorage context manager and the W3C traceparent propagator.
  provider.register();
  return {
    exporter: exporterKind,
    serviceName,
    telemetry: new BullMQOtel({ tracerName: 'bullmq' }),
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
    },
  };
}

function samplerOf(env: TracingEnv): Sampler {
  const ratio = new TraceIdRatioBasedSampler(env.OTEL_TRACES_SAMPLER_ARG);
  switch (env.OTEL_TRACES_SAMPLER) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/**
 * Drops internal spans that start a trace of their own: BullMQ's background
 * chores (stalled-job checks every few seconds, fetch loops, close) would
 * otherwise fill the backend with one-span traces nobody asked about. Every
 * span floodgate cares for has a parent or is a request or a job.
 */
class WithoutBackgroundRoots implements Sampler {
  constructor(private readonly inner: Sampler) {}

  shouldSample(ctx: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    if (kind === SpanKind.INTERNAL && trace.getSpanContext(ctx) === undefined) return { decision: SamplingDecision.NOT_RECORD };
    return this.inner.shouldSample(ctx, traceId, name, kind, attributes, links);
  }

  toString(): string {
    return `WithoutBackgroundRoots{${this.inner.toString()}}`;
  }
}
