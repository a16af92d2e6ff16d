import { redactUrlCredentials, type Logger } from '../logger';
import type { Tracing } from './tracing';
import { otlpTracesUrl, traceExporterOf, type TracingEnv } from './tracing-env';

/**
 * Starts OpenTelemetry tracing when the environment asks for it, and returns
 * `undefined` otherwise: then nothing of the SDK is even loaded, and the
 * apps install none of their tracing hooks.
 */
export async function startTracing(env: TracingEnv, options: { defaultServiceName: string; logger: Logger }): Promise<Tracing | undefined> {
  const exporter = traceExporterOf(env);
  if (exporter === undefined) return undefined;
  const { startTracingSdk } = await import('./tracing-sdk.js');
  const serviceName = env.OTEL_SERVICE_NAME ?? options.defaultServiceName;
  const tracing = startTracingSdk(env, exporter, serviceName, options.logger);
  const url = exporter === 'otlp' ? redactUrlCredentials(otlpTracesUrl(env)) : undefined;
  options.logger.info({ exporter, url, serviceName, sampler: env.OTEL_TRACES_SAMPLER }, 'tracing on');
  return tracing;
}
