import { z } from 'zod';
import { boolEnv, enumEnv, intEnv, numberEnv, optionalStringEnv } from '../env/coercers';

const httpUrl = (what: string) =>
  optionalStringEnv().refine((value) => value === undefined || (/^https?:\/\//.test(value) && URL.canParse(value)), `must be an http(s) URL (${what})`);

/**
 * The standard OpenTelemetry variables floodgate reads, for each app's env.ts
 * to extend. Tracing is off unless an exporter is chosen: `OTEL_TRACES_EXPORTER`
 * (`otlp` or `console`), or an OTLP endpoint, which implies `otlp`.
 */
export const TracingEnv = z.object({
  OTEL_SDK_DISABLED: boolEnv(false).describe('Turns tracing off whatever else is set (the OpenTelemetry SDK\'s own kill switch).'),
  OTEL_TRACES_EXPORTER: optionalStringEnv()
    .pipe(z.enum(['otlp', 'console', 'none']).optional())
    .describe('otlp, console (spans on stdout, for development) or none; unset: otlp when an endpoint is set, else tracing is off.'),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl('e.g. http://127.0.0.1:4318').describe(
    'Base URL of an OTLP/HTTP receiver (a collector); spans go to <it>/v1/traces. Unset with otlp: http://localhost:4318.',
  ),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl('e.g. http://127.0.0.1:4318/v1/traces').describe('The full URL spans are posted to, over OTEL_EXPORTER_OTLP_ENDPOINT.'),
  /** Anything else is refused, not ignored: spans sent in a format the collector does not take would vanish. */
  OTEL_EXPORTER_OTLP_PROTOCOL: enumEnv(['http/json'], 'http/json').describe("Only http/json is sent (a collector's OTLP/HTTP port takes it)."),
  OTEL_EXPORTER_OTLP_HEADERS: optionalStringEnv()
    .refine((value) => value === undefined || value.split(',').every((pair) => /^\s*[^=\s]+\s*=.*$/.test(pair)), 'must be key=value pairs separated by commas')
    .describe('Headers on every export, key=value pairs separated by commas (an auth token, say), URL-decoded.'),
  OTEL_SERVICE_NAME: optionalStringEnv().describe('The service.name of every span; unset: floodgate-api, floodgate-worker (per app).'),
  OTEL_TRACES_SAMPLER: enumEnv(
    ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'],
    'parentbased_always_on',
  ).describe('Which traces are kept; the traceidratio samplers take OTEL_TRACES_SAMPLER_ARG.'),
  OTEL_TRACES_SAMPLER_ARG: numberEnv(1, { min: 0, max: 1 }).describe('Share of traces the traceidratio samplers keep, 0 to 1.'),
  OTEL_BSP_SCHEDULE_DELAY: intEnv(5_000, { min: 1, max: 3_600_000 }).describe('Milliseconds between two exports of finished spans.'),
  /** Under a flood more are dropped (and counted) rather than piled up in memory. */
  OTEL_BSP_MAX_QUEUE_SIZE: intEnv(2_048, { min: 1, max: 1_000_000 }).describe('Finished spans held for export; past it, spans are dropped and counted.'),
});
export type TracingEnv = z.infer<typeof TracingEnv>;

/** Where spans go, or `undefined` when tracing is off. */
export type TraceExporterKind = 'otlp' | 'console';

export function traceExporterOf(env: TracingEnv): TraceExporterKind | undefined {
  if (env.OTEL_SDK_DISABLED || env.OTEL_TRACES_EXPORTER === 'none') return undefined;
  if (env.OTEL_TRACES_EXPORTER !== undefined) return env.OTEL_TRACES_EXPORTER;
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'otlp' : undefined;
}

/** The URL OTLP spans are posted to. */
export function otlpTracesUrl(env: TracingEnv): string {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4318';
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

/** `a=1, b=x%20y` as headers (values are URL-decoded, as the spec says). */
export function otlpHeaders(env: TracingEnv): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of env.OTEL_EXPORTER_OTLP_HEADERS?.split(',') ?? []) {
    const at = pair.indexOf('=');
    const value = pair.slice(at + 1).trim();
    headers[pair.slice(0, at).trim()] = decodeOrKeep(value);
  }
  return headers;
}

function decodeOrKeep(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
