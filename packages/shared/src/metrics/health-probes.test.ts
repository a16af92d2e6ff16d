import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger/create-logger';
import { createMetricsRegistry } from './create-metrics-registry';
import type { Readiness } from './health-probes';
import { startMetricsServer } from './metrics-server';

const logger = createLogger({ name: 'metrics-test', level: 'silent', pretty: false });
type Get = (path: string, method?: string) => Promise<{ status: number; body: Record<string, unknown> | undefined; res: Response }>;

/** `serve(now)`: a metrics server on a free port whose readiness is whatever `now()` says, and a GET against it; closed after the test. */
const test = it.extend<{ serve: (now?: () => Promise<Readiness>) => Promise<Get> }>({
  // eslint-disable-next-line no-empty-pattern
  serve: async ({}, use) => {
    const servers: Server[] = [];
    await use(async (now) => {
      const server = await startMetricsServer({ registry: createMetricsRegistry('probe-test'), host: '127.0.0.1', port: 0, logger, ...(now ? { readiness: now } : {}) });
      if (!server) throw new Error('startMetricsServer started no server on port 0');
      servers.push(server);
      const { port } = server.address() as AddressInfo;
      return async (path, method = 'GET') => {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
        return { status: res.status, body: (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined, res };
      };
    });
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  },
});

describe('the health probes of a metrics port', () => {
  test('answers /healthz whatever readiness says, and /readyz by every check', async ({ serve }) => {
    let redis = { ok: true, detail: 'ok' };
    const get = await serve(async () => ({ workers: { ok: true, detail: '3 running' }, redis }));
    expect(await get('/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await get('/readyz')).toMatchObject({ status: 200, body: { status: 'ready', checks: { redis: { ok: true } } } });

    redis = { ok: false, detail: 'no answer to PING within 500 ms' };
    const notReady = await get('/readyz');
    expect(notReady).toMatchObject({ status: 503, body: { error: { code: 'not_ready', details: { redis, workers: { ok: true } } } } });
    expect(notReady.res.headers.get('cache-control')).toBe('no-store');
    expect(await get('/healthz')).toMatchObject({ status: 200 });
    expect((await get('/metrics')).status).toBe(200);
  });

  test('answers 503, not a hung request, when the readiness check itself fails', async ({ serve }) => {
    const get = await serve(() => Promise.reject(new Error('boom')));
    expect(await get('/readyz')).toMatchObject({ status: 503, body: { error: { code: 'not_ready', message: expect.stringContaining('boom') } } });
  });

  test('serves only /metrics without a readiness probe, as before', async ({ serve }) => {
    const get = await serve();
    expect(await get('/healthz')).toMatchObject({ status: 404, body: { error: { code: 'route_not_found', message: 'Only GET /metrics is served here.' } } });
    expect((await get('/metrics')).status).toBe(200);
  });
});
