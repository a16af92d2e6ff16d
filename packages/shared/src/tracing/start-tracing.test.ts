import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dist = resolve(__dirname, '../../dist/tracing/index.js');

/**
 * In a fresh Node.js process (the built module, as the apps load it): starts
 * tracing from `env` and prints whether it is on and which OpenTelemetry
 * packages were loaded.
 */
async function startIn(env: Record<string, string>): Promise<{ on: boolean; loaded: string[] }> {
  const script = `
    const { startTracing, TracingEnv } = require(${JSON.stringify(dist)});
    const logger = { info() {}, warn() {} };
    startTracing(TracingEnv.parse(${JSON.stringify(env)}), { defaultServiceName: 't', logger }).then(async (tracing) => {
      const loaded = [...new Set(Object.keys(require.cache).map((f) => /@opentelemetry[\\/\\\\]([a-z-]+)/.exec(f)?.[1]).filter(Boolean))];
      await tracing?.shutdown();
      process.stdout.write(JSON.stringify({ on: tracing !== undefined, loaded }));
    });`;
  const { stdout } = await run(process.execPath, ['-e', script], { timeout: 20_000 });
  return JSON.parse(stdout) as { on: boolean; loaded: string[] };
}

describe('startTracing', () => {
  it('loads no SDK when no exporter is set', async () => {
    const { on, loaded } = await startIn({});
    expect(on).toBe(false);
    expect(loaded.filter((name) => name !== 'api')).toEqual([]);
  });

  it('loads the SDK and the OTLP exporter when an endpoint is set', async () => {
    // Nothing listens there: nothing is exported before shutdown either, as no span was made.
    const { on, loaded } = await startIn({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    expect(on).toBe(true);
    expect(loaded).toEqual(expect.arrayContaining(['sdk-trace-node', 'exporter-trace-otlp-http']));
  });
});
