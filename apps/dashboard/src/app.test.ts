import { randomUUID } from 'node:crypto';
import { createLogger } from '@floodgate/shared/logger';
import { createRedis, waitForRedis } from '@floodgate/shared/redis';
import { startRedis, type PrivateRedis } from '@floodgate/testkit';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app';
import { WWW_AUTHENTICATE } from './basic-auth';
import { closeQueues, createQueues, type DashboardQueues } from './queues';
import { basic, serve, type Served } from './testing/serve';

const credentials = { user: 'admin', password: 'correct horse battery staple' };
const authorization = basic(credentials.user, credentials.password);
// A file Bull Board really ships, so a 401 on it proves the auth, not a missing file.
const STATIC_ASSET = '/admin/queues/static/favicon-32x32.png';

interface BoardQueue {
  name: string;
  description?: string;
  counts: Record<string, number>;
  jobs: Array<{ id: string; name: string; data: unknown }>;
}

describe('the dashboard', () => {
  const logger = createLogger({ name: 'dashboard-test', level: 'silent', pretty: false });
  let redis: PrivateRedis;
  let connection: Redis;
  let queues: DashboardQueues;
  let served: Served;

  beforeAll(async () => {
    redis = await startRedis();
    connection = createRedis('producer', { url: redis.url, logger });
    await waitForRedis(connection);
    queues = createQueues(connection, `{fg-test-${randomUUID()}}`);
    served = await serve(createApp({ queues, credentials, logger }));
  });
  afterAll(async () => {
    await served?.close();
    if (queues) await closeQueues(queues);
    connection?.disconnect();
    await redis?.stop();
  });

  const get = (path: string, auth?: string) =>
    fetch(`${served.url}${path}`, { headers: auth === undefined ? {} : { authorization: auth }, redirect: 'manual' });

  it('asks for credentials on every route: pages, static files, the API and unknown paths', async () => {
    const paths = ['/', '/admin/queues', '/admin/queues/queue/compute', STATIC_ASSET, '/admin/queues/api/queues', '/nope'];
    for (const path of paths) {
      for (const auth of [undefined, basic(credentials.user, 'wrong'), basic('someone', credentials.password)]) {
        const res = await get(path, auth);
        expect(res.status, `${path} with ${auth}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe(WWW_AUTHENTICATE);
        expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
      }
    }
  });

  it('serves Bull Board, its static files and its API with the right credentials', async () => {
    const page = await get('/admin/queues', authorization);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('floodgate');
    expect((await get(STATIC_ASSET, authorization)).status).toBe(200);
    const root = await get('/', authorization);
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/admin/queues');
  });

  it('lists every catalog queue and shows a job added through BullMQ', async () => {
    const job = await queues.compute.add('compute', { n: 1, m: 1 });
    expect(job?.id).toBeDefined();

    const res = await get('/admin/queues/api/queues?activeQueue=compute&status=waiting&page=1', authorization);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { queues: BoardQueue[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['compute', 'page-extract', 'sentiment']);
    const compute = body.queues.find((q) => q.name === 'compute');
    expect(compute?.counts.waiting).toBe(1);
    expect(compute?.description).toMatch(/checksum/);
    expect(compute?.jobs).toEqual([expect.objectContaining({ id: job?.id, name: 'compute', data: { n: 1, m: 1 } })]);
    expect(body.queues.find((q) => q.name === 'sentiment')?.counts.waiting).toBe(0);

    // Actions too: an unauthenticated request must not reach Bull Board, which could empty the queue.
    const empty = await fetch(`${served.url}/admin/queues/api/queues/compute/empty`, { method: 'PUT' });
    expect(empty.status).toBe(401);
    expect(await queues.compute.getWaitingCount()).toBe(1);
  });

  it('answers /healthz without credentials', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers unknown routes with a JSON 404 once authenticated', async () => {
    const res = await get('/nope', authorization);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('route_not_found');
  });
});
