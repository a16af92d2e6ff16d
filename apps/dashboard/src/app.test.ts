import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@floodgate/shared/logger';
import { createRedis, waitForRedis } from '@floodgate/shared/redis';
import { startRedis, type PrivateRedis } from '@floodgate/testkit';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app';
import { closeQueues, createQueues } from './queues';

const credentials = { user: 'admin', password: 'correct horse' };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('the dashboard', () => {
  let redis: PrivateRedis;
  let connection: Redis;
  let queues: Queue[];
  let server: Server;
  let url: string;

  beforeAll(async () => {
    redis = await startRedis();
    connection = createRedis('producer', { url: redis.url, logger: createLogger({ name: 't', level: 'silent', pretty: false }) });
    await waitForRedis(connection);
    queues = createQueues(connection, `{fg-test-${randomUUID()}}`);
    server = await new Promise((resolve) => {
      const s = createApp({ queues, credentials }).listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await closeQueues(queues);
    connection?.disconnect();
    await redis?.stop();
  });

  const get = (path: string, authorization?: string) =>
    fetch(`${url}${path}`, { headers: authorization ? { authorization } : {}, redirect: 'manual' });

  it('asks for credentials on every route: pages, static files and the API', async () => {
    for (const path of ['/', '/admin/queues', '/admin/queues/static/js/main.js', '/admin/queues/api/queues', '/nope']) {
      for (const authorization of [undefined, basic('admin', 'wrong'), basic('someone', credentials.password), 'Bearer x']) {
        const res = await get(path, authorization);
        expect(res.status, `${path} with ${authorization}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="floodgate"/);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      }
    }
  });

  it('serves Bull Board with the right credentials', async () => {
    const auth = basic(credentials.user, credentials.password);
    const page = await get('/admin/queues', auth);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('floodgate');
    const root = await get('/', auth);
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/admin/queues');
  });

  it('lists every catalog queue and the jobs in them', async () => {
    const compute = queues.find((queue) => queue.name === 'compute');
    await compute?.add('compute', { n: 1, m: 1 });
    const res = await get('/admin/queues/api/queues', basic(credentials.user, credentials.password));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { queues: Array<{ name: string; counts: Record<string, number> }> };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['compute', 'page-extract', 'sentiment']);
    expect(body.queues.find((q) => q.name === 'compute')?.counts.waiting).toBe(1);
  });

  it('answers /healthz without credentials', async () => {
    expect((await get('/healthz')).status).toBe(200);
  });
});
