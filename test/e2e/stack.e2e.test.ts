import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { queueIdentity } from '@floodgate/shared/queues';
import { metricValue, waitFor } from '@floodgate/testkit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPm2Stack, type Pm2Stack } from './pm2-stack';

interface JobView {
  id: string;
  type: string;
  state: string;
  result: unknown;
  error: string | null;
  processedBy?: string | null;
}

describe('the whole stack under pm2', () => {
  let stack: Pm2Stack;
  let fixture: Server;
  let fixtureUrl: string;

  beforeAll(async () => {
    fixture = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end('<html><head><title>Fixture</title><meta name="description" content="A local page"></head>' +
        '<body><p>Hello from the fixture.</p><a href="/next">next</a></body></html>');
    });
    await new Promise<void>((resolve) => fixture.listen(0, '127.0.0.1', resolve));
    fixtureUrl = `http://127.0.0.1:${(fixture.address() as AddressInfo).port}/page`;
    // The fixture lives on loopback, which SSRF protection refuses by default.
    stack = await startPm2Stack({
      API_INSTANCES: '2',
      WORKER_INSTANCES: '1',
      PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS: 'true',
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await new Promise((resolve) => fixture?.close(resolve));
  });

  const enqueue = async (type: string, payload: unknown): Promise<string> => {
    const res = await fetch(`${stack.apiUrl}/v1/jobs/${type}`, {
      method: 'POST',
      headers: { ...stack.apiHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({ payload }),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  };

  const finished = (type: string, id: string) =>
    waitFor(
      async () => {
        const view = (await (await fetch(`${stack.apiUrl}/v1/jobs/${type}/${id}`, { headers: stack.apiHeaders })).json()) as JobView;
        return view.state === 'completed' || view.state === 'failed' ? view : undefined;
      },
      { timeoutMs: 30_000, description: `${type} job ${id} to finish` },
    );

  it('runs every job type end to end over HTTP', async () => {
    const ids = {
      sentiment: await enqueue('sentiment', { text: 'What a wonderful, happy day' }),
      'page-extract': await enqueue('page-extract', { url: fixtureUrl }),
      compute: await enqueue('compute', { n: 5, m: 1_000 }),
    };
    const sentiment = await finished('sentiment', ids.sentiment);
    expect(sentiment).toMatchObject({ state: 'completed', result: { positive: expect.arrayContaining(['wonderful', 'happy']) } });
    expect((sentiment.result as { score: number }).score).toBeGreaterThan(0);
    const page = await finished('page-extract', ids['page-extract']);
    expect(page).toMatchObject({
      state: 'completed',
      result: { status: 200, title: 'Fixture', description: 'A local page', links: [fixtureUrl.replace('/page', '/next')] },
    });
    const compute = await finished('compute', ids.compute);
    expect(compute).toMatchObject({ state: 'completed', result: { operations: 5_000, checksum: expect.stringMatching(/^[0-9a-f]{8}$/) } });
  });

  it('serves Prometheus metrics from each API and worker process', async () => {
    const api = await (await fetch(stack.apiMetricsUrl(0))).text();
    expect(metricValue(api, 'floodgate_redis_up', { app: 'api' })).toBe(1);
    expect(metricValue(api, 'floodgate_redis_maxmemory_bytes')).toBeGreaterThan(0);
    expect(metricValue(api, 'floodgate_queue_finished_jobs_total', { type: 'sentiment', status: 'completed' })).toBeGreaterThanOrEqual(1);
    // The one worker process ran every job of the first test.
    const worker = await (await fetch(stack.workerMetricsUrl(0))).text();
    for (const type of ['sentiment', 'page-extract', 'compute']) {
      expect(metricValue(worker, 'floodgate_job_duration_seconds_count', { app: 'worker', type, status: 'completed' })).toBeGreaterThanOrEqual(1);
    }
    expect(metricValue(worker, 'floodgate_jobs_active', { type: 'compute' })).toBe(0);
    expect(metricValue(worker, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
  });

  it("answers each API process's liveness probe from its own port", async () => {
    const answer = await fetch(stack.apiHealthUrl(0));
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ status: 'ok', lagMs: expect.any(Number) });
  });

  it('keeps the dashboard behind its login and shows the queues', async () => {
    const board = `${stack.dashboardUrl}/admin/queues`;
    // Signed out: pages go to the login form, the JSON API answers 401.
    const signedOut = await fetch(board, { redirect: 'manual' });
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get('location')).toBe('/login');
    expect((await fetch(`${board}/api/queues`)).status).toBe(401);
    // The form's POST, as the dashboard's own page sends it (with its Origin: the CSRF check wants it).
    const login = (password: string, origin = stack.dashboardUrl) =>
      fetch(`${stack.dashboardUrl}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ user: stack.dashboardUser, password }).toString(),
      });
    expect((await login('wrong')).status).toBe(401);
    expect((await login(stack.dashboardPassword, 'http://evil.example')).status).toBe(403);
    const res = await login(stack.dashboardPassword);
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    expect(cookie).toMatch(/^floodgate_session=v1\./);
    expect((await fetch(board, { headers: { cookie } })).status).toBe(200);
    const api = await fetch(`${board}/api/queues`, { headers: { cookie } });
    expect(api.status).toBe(200);
    const body = JSON.stringify(await api.json());
    for (const name of ['sentiment', 'page-extract', 'compute']) expect(body).toContain(`"${name}"`);
  });

  it('scales workers from 1 to 2 with the pm2 CLI, and both take jobs', async () => {
    const workers = async () => (await stack.processes()).filter((p) => p.name === 'worker' && p.status === 'online');
    expect(await workers()).toHaveLength(1);
    await stack.pm2('scale', 'worker', '2');
    await waitFor(async () => (await workers()).length === 2, { timeoutMs: 60_000, description: 'two workers online' });

    // Keep feeding small batches until jobs have been taken by two different processes.
    const seen = new Set<string>();
    await waitFor(
      async () => {
        const ids = await Promise.all(Array.from({ length: 8 }, () => enqueue('compute', { n: 20, m: 20_000 })));
        for (const view of await Promise.all(ids.map((id) => finished('compute', id)))) {
          expect(view.state).toBe('completed');
          if (view.processedBy) seen.add(view.processedBy);
        }
        return seen.size >= 2;
      },
      { timeoutMs: 60_000, intervalMs: 0, description: 'jobs processed by two worker processes' },
    );
    expect(seen.size).toBe(2);
    // The new process has a metrics port of its own (it may take jobs a moment before that port listens).
    await waitFor(async () => (await fetch(stack.workerMetricsUrl(1)).catch(() => undefined))?.status === 200, {
      timeoutMs: 30_000,
      description: "the second worker's metrics port",
    });
  });

  it('finishes every job acknowledged while the workers reload, none recovered as stalled', async () => {
    const connection = new Redis(stack.redisUrl, { maxRetriesPerRequest: null });
    const queues = Object.fromEntries(
      ['sentiment', 'compute'].map((type) => {
        const { name, prefix } = queueIdentity(type, 'floodgate');
        return [type, new Queue(name, { connection, prefix })];
      }),
    ) as Record<'sentiment' | 'compute', Queue>;
    // BullMQ's metrics count every finished job, those retention already removed included.
    const finishedCounts = async () => {
      const counts = { finished: 0, failed: 0 };
      for (const queue of Object.values(queues)) {
        const failed = (await queue.getMetrics('failed')).meta.count;
        counts.finished += (await queue.getMetrics('completed')).meta.count + failed;
        counts.failed += failed;
      }
      return counts;
    };
    try {
      const before = await finishedCounts();
      // Steady single POSTs from 8 callers before, during and after `pm2 reload worker`.
      const acknowledged: Array<{ type: 'sentiment' | 'compute'; id: string }> = [];
      const refused: string[] = [];
      let sending = true;
      const caller = async (n: number) => {
        for (let i = 0; sending; i++) {
          const type = n === 0 && i % 10 === 0 ? 'compute' : 'sentiment';
          const payload = type === 'compute' ? { n: 50, m: 2_000 } : { text: `caller ${n}, job ${i}: a lovely day` };
          const res = await fetch(`${stack.apiUrl}/v1/jobs/${type}`, {
            method: 'POST',
            headers: { ...stack.apiHeaders, 'content-type': 'application/json' },
            body: JSON.stringify({ payload }),
          });
          const body = (await res.json()) as { id: string; error?: unknown };
          if (res.status === 202) acknowledged.push({ type, id: body.id });
          else refused.push(`${res.status} ${JSON.stringify(body.error)}`);
        }
      };
      const callers = Array.from({ length: 8 }, (_, n) => caller(n));
      await waitFor(() => acknowledged.length >= 100, { description: 'the load to be under way' });
      await stack.pm2('reload', 'worker');
      const afterReload = acknowledged.length;
      await waitFor(() => acknowledged.length >= afterReload + 100, { description: 'the load to go on after the reload' });
      sending = false;
      await Promise.all(callers);
      // A busy machine may shed (429/503, nothing stored); an answer that leaves a job's fate open would not count.
      expect(refused.filter((answer) => !/^(429|503) /.test(answer) || answer.includes('enqueue_outcome_unknown'))).toEqual([]);

      const done = await waitFor(
        async () => {
          const now = await finishedCounts();
          return now.finished - before.finished >= acknowledged.length ? now : undefined;
        },
        { timeoutMs: 60_000, description: `all ${acknowledged.length} acknowledged jobs to finish` },
      );
      expect(done.failed - before.failed).toBe(0);
      // Those retention still keeps: drained or handed back by the process that held them, never left to a lock's expiry.
      for (const { type, id } of acknowledged.slice(-200)) {
        const job = await queues[type].getJob(id);
        if (job) expect(job.stalledCounter, `${type} job ${id}`).toBe(0);
      }
    } finally {
      await Promise.all(Object.values(queues).map((queue) => queue.close()));
      connection.disconnect();
    }
  });

  it('lists every live worker process at GET /v1/workers, from their heartbeats', async () => {
    const pids = (await stack.processes()).filter((p) => p.name === 'worker' && p.status === 'online').map((p) => p.pid);
    const listed = await waitFor(async () => {
      const body = (await (await fetch(`${stack.apiUrl}/v1/workers`, { headers: stack.apiHeaders })).json()) as { workers: Array<{ pid: number; queues: Array<{ type: string }> }> };
      return body.workers.length === pids.length ? body.workers : undefined;
    });
    expect(listed.map((w) => w.pid).sort()).toEqual([...pids].sort());
    expect(listed[0]?.queues.map((q) => q.type)).toEqual(['sentiment', 'page-extract', 'compute']);
  });

  it('loses nothing and stalls nothing while workers scale down, reload and scale up under load', async () => {
    const connection = new Redis(stack.redisUrl, { maxRetriesPerRequest: null });
    // The stack runs with the default QUEUE_PREFIX; queueIdentity says where the compute queue lives.
    const { name, prefix } = queueIdentity('compute', 'floodgate');
    const queue = new Queue(name, { connection, prefix });
    try {
      // About half a second of CPU each: in flight during every pm2 operation below.
      const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => enqueue('compute', { n: 1_500 + i, m: 2_000 })));
      await stack.pm2('scale', 'worker', '1');
      await stack.pm2('reload', 'worker');
      await stack.pm2('scale', 'worker', '2');
      for (const id of ids) {
        const view = await finished('compute', id);
        expect(view.state, `job ${id}`).toBe('completed');
        const job = await queue.getJob(id);
        // Finished by the process that started it: drained, never recovered as stalled.
        expect(job?.attemptsMade).toBe(1);
        expect(job?.stalledCounter).toBe(0);
      }
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });
});
