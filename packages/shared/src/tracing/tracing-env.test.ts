import { describe, expect, it } from 'vitest';
import { EnvError } from '../errors/env-error';
import { parseEnv } from '../env/parse-env';
import { otlpHeaders, otlpTracesUrl, traceExporterOf, TracingEnv } from './tracing-env';

const parse = (source: Record<string, string>) => parseEnv(TracingEnv, source);

describe('TracingEnv', () => {
  it('is off unless an exporter or an endpoint is set', () => {
    expect(traceExporterOf(parse({}))).toBeUndefined();
    expect(traceExporterOf(parse({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_EXPORTER: '' }))).toBeUndefined();
    expect(traceExporterOf(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }))).toBe('otlp');
    expect(traceExporterOf(parse({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }))).toBe('otlp');
    expect(traceExporterOf(parse({ OTEL_TRACES_EXPORTER: 'console' }))).toBe('console');
  });

  it('lets OTEL_SDK_DISABLED and OTEL_TRACES_EXPORTER=none win over an endpoint', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    expect(traceExporterOf(parse({ ...endpoint, OTEL_SDK_DISABLED: 'true' }))).toBeUndefined();
    expect(traceExporterOf(parse({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }))).toBeUndefined();
  });

  it('posts to <endpoint>/v1/traces unless the traces endpoint is given in full', () => {
    expect(otlpTracesUrl(parse({ OTEL_TRACES_EXPORTER: 'otlp' }))).toBe('http://localhost:4318/v1/traces');
    expect(otlpTracesUrl(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' }))).toBe('http://c:4318/v1/traces');
    expect(otlpTracesUrl(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://t/x' }))).toBe('https://t/x');
  });

  it('reads headers as key=value pairs, URL-decoded', () => {
    expect(otlpHeaders(parse({ OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc, x-team = ops' }))).toEqual({
      authorization: 'Bearer abc',
      'x-team': 'ops',
    });
  });

  it('refuses what it cannot honour, naming each variable, and never echoes headers', () => {
    let error: unknown;
    try {
      parse({
        OTEL_TRACES_EXPORTER: 'zipkin',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://c:4317',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_HEADERS: 'secret-token-without-a-name',
        OTEL_TRACES_SAMPLER_ARG: '2',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EnvError);
    const message = (error as EnvError).message;
    for (const name of ['OTEL_TRACES_EXPORTER', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_TRACES_SAMPLER_ARG']) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain('secret-token');
  });
});
