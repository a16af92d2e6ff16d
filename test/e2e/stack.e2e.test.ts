import { jobTypes } from '@floodgate/shared/jobs';
import { queueIdentity } from '@floodgate/shared/queues';
import { oncePerFile } from '@floodgate/testkit/fixtures';
import { metricValue, waitFor } from '@floodgate/testkit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { serveFixturePage, type FixturePage } from './fixture-page';
import { startPm2Stack, type Pm2Stack } from './pm2-stack';

interface JobView {
  id: string;
  type: string;
  state: string;
  result: unknown;
  error: string | null;
  processedBy?: string | null;
}

/** Starting the stack under pm2 takes a while; the test that starts it waits for it. */
const STARTS_STACK_MS = 180_000;
/** Worker processes the stack starts with (WORKER_INSTANCES). */
const STARTING_WORKERS = 1;

const enqueue = async (stack: Pm2Stack, type: string, payload: unknown): Promise<string> => {
  const res = await fetch(`${stack.apiUrl}/v1/jobs/${type}`, {
    method: 'POST',
    headers: { ...stack.apiHeaders, 'content-type': 'application/json' },
    body: JSON.stringify({ payload }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
};

const finished = (stack: Pm2Stack, type: string, id: string) =>
  waitFor(
    async () => {
      const view = (await (await fetch(`${stack.apiUrl}/v1/jobs/${type}/${id}`, { headers: stack.apiHeaders })).json()) as JobView;
      return view.state === 'completed' || view.state === 'failed' ? view : undefined;
    },
    { timeoutMs: 30_000, description: `${type} job ${id} to finish` },
  );

const onlineWorkerPids = async (stack: Pm2Stack) => (await stack.processes()).filter((p) => p.name === 'worker' && p.status === 'online').map((p) => p.pid);

/** Scales the workers to `count` with the pm2 CLI (pm2 refuses a scale to the count it has) and waits for them online. */
async function scaleWorkers(stack: Pm2Stack, count: number): Promise<void> {
  if ((await stack.processes()).filter((p) => p.name === 'worker').length !== count) await stack.pm2('scale', 'worker', String(count));
  await waitFor(async () => (await onlineWorkerPids(stack)).length === count, { timeoutMs: 60_000, description: `${count} workers online` });
}

/** The metrics of every worker process that serves them (a scaled app's process N listens on base + N, up to 4). */
const workerMetrics = async (stack: Pm2Stack): Promise<string[]> =>
  (await Promise.all([0, 1, 2, 3].map(async (n) => (await fetch(stack.workerMetricsUrl(n)).catch(() => undefined))?.text()))).filter((text) => text !== undefined);

/** Jobs of `type` completed, summed over every worker process's metrics. */
const completedByWorkers = async (stack: Pm2Stack, type: string) =>
  (await workerMetrics(stack)).reduce((sum, text) => sum + (metricValue(text, 'floodgate_job_duration_seconds_count', { app: 'worker', type, status: 'completed' }) ?? 0), 0);

/**
 * The stack, with WORKER_INSTANCES honoured: exactly {@link STARTING_WORKERS} worker process online
 * once it is up (tests then scale to what they need). Stopped if that check fails.
 */
async function startStack(): Promise<Pm2Stack> {
  const stack = await startPm2Stack({ API_INSTANCES: '2', WORKER_INSTANCES: String(STARTING_WORKERS), PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS: 'true' });
  try {
    expect(await onlineWorkerPids(stack)).toHaveLength(STARTING_WORKERS);
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}

/**
 * One stack for the file, started by the first test that asks (tests change the
 * worker count, so each scales to what it needs first), and a loopback page for
 * page-extract, which SSRF protection would refuse without the stack's opt-in
 * (any path answers it).
 */
const test = it.extend<{ stack: Pm2Stack; page: FixturePage }>({
  stack: oncePerFile(startStack),
  page: oncePerFile(() =>
    serveFixturePage('<html><head><title>Fixture</title><meta name="description" content="A local page"></head><body><p>Hello from the fixture.</p><a href="/next">next</a></body></html>'),
  ),
});

describe('the whole stack under pm2', () => {
  test('runs every job type end to end over HTTP', async ({ stack, page }) => {
    const pageUrl = `${page.origin}/page`;
    const ids = {
      sentiment: await enqueue(stack, 'sentiment', { text: 'What a wonderful, happy day' }),
      'page-extract': await enqueue(stack, 'page-extract', { url: pageUrl }),
      compute: await enqueue(stack, 'compute', { n: 5, m: 1_000 }),
    };
    const sentiment = await finished(stack, 'sentiment', ids.sentiment);
    expect(sentiment).toMatchObject({ state: 'completed', result: { positive: expect.arrayContaining(['wonderful', 'happy']) } });
    expect((sentiment.result as { score: number }).score).toBeGreaterThan(0);
    const extracted = await finished(stack, 'page-extract', ids['page-extract']);
    expect(extracted).toMatchObject({
      state: 'completed',
      result: { status: 200, title: 'Fixture', description: 'A local page', links: [pageUrl.replace('/page', '/next')] },
    });
    const compute = await finished(stack, 'compute', ids.compute);
    expect(compute).toMatchObject({ state: 'completed', result: { operations: 5_000, checksum: expect.stringMatching(/^[0-9a-f]{8}$/) } });
  }, STARTS_STACK_MS);

  test('serves Prometheus metrics from each API and worker process', async ({ stack, page }) => {
    const before = Object.fromEntries(await Promise.all(jobTypes.map(async (type) => [type, await completedByWorkers(stack, type)] as const)));
    const payloads = { sentiment: { text: 'a fine day' }, 'page-extract': { url: `${page.origin}/page` }, compute: { n: 1, m: 10 } };
    for (const type of jobTypes) await finished(stack, type, await enqueue(stack, type, payloads[type]));
    const api = await (await fetch(stack.apiMetricsUrl(0))).text();
    expect(metricValue(api, 'floodgate_redis_up', { app: 'api' })).toBe(1);
    expect(metricValue(api, 'floodgate_redis_maxmemory_bytes')).toBeGreaterThan(0);
    expect(metricValue(api, 'floodgate_queue_finished_jobs_total', { type: 'sentiment', status: 'completed' })).toBeGreaterThanOrEqual(1);
    for (const type of jobTypes) expect(await completedByWorkers(stack, type), type).toBe((before[type] ?? 0) + 1);
    for (const text of await workerMetrics(stack)) {
      expect(metricValue(text, 'floodgate_jobs_active', { type: 'compute' })).toBe(0);
      expect(metricValue(text, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    }
  }, STARTS_STACK_MS);

  test("answers each API process's liveness probe from its own port", async ({ stack }) => {
    const answer = await fetch(stack.apiHealthUrl(0));
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ status: 'ok', lagMs: expect.any(Number) });
  }, STARTS_STACK_MS);

  test('keeps the dashboard behind its login and shows the queues', async ({ stack }) => {
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
  }, STARTS_STACK_MS);

  test('scales workers from 1 to 2 with the pm2 CLI, and both take jobs', async ({ stack }) => {
    await scaleWorkers(stack, 1);
    await scaleWorkers(stack, 2);

    // Keep feeding small batches until jobs have been taken by two different processes.
    const seen = new Set<string>();
    await waitFor(
      async () => {
        const ids = await Promise.all(Array.from({ length: 8 }, () => enqueue(stack, 'compute', { n: 20, m: 20_000 })));
        for (const view of await Promise.all(ids.map((id) => finished(stack, 'compute', id)))) {
          expect(view.state).toBe('completed');
          if (view.processedBy) seen.add(view.processedBy);
        }
        return seen.size >= 2;
      },
      { timeoutMs: 60_000, intervalMs: 0, description: 'jobs processed by two worker processes' },
    );
    expect(seen.size).toBe(2);
    // The new process has a metrics port of its own (it may take jobs a moment before that port listens).
    await waitFor(async () => (await workerMetrics(stack)).length === 2, { timeoutMs: 30_000, description: "the second worker's metrics port" });
  }, STARTS_STACK_MS);

  test('finishes every job acknowledged while the workers reload, none recovered as stalled', async ({ stack }) => {
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
  }, STARTS_STACK_MS);

  test('lists every live worker process at GET /v1/workers, from their heartbeats', async ({ stack }) => {
    const pids = (await onlineWorkerPids(stack)).sort();
    const listed = await waitFor(async () => {
      const body = (await (await fetch(`${stack.apiUrl}/v1/workers`, { headers: stack.apiHeaders })).json()) as { workers: Array<{ pid: number; queues: Array<{ type: string }> }> };
      return body.workers.map((w) => w.pid).sort().join() === pids.join() ? body.workers : undefined;
    }, { description: `the workers listed to be pm2's ${pids.join(', ')}` });
    expect(listed[0]?.queues.map((q) => q.type)).toEqual(['sentiment', 'page-extract', 'compute']);
  }, STARTS_STACK_MS);

  test('loses nothing and stalls nothing while workers scale down, reload and scale up under load', async ({ stack }) => {
    const connection = new Redis(stack.redisUrl, { maxRetriesPerRequest: null });
    // The stack runs with the default QUEUE_PREFIX; queueIdentity says where the compute queue lives.
    const { name, prefix } = queueIdentity('compute', 'floodgate');
    const queue = new Queue(name, { connection, prefix });
    try {
      await scaleWorkers(stack, 2);
      // About half a second of CPU each: in flight during every pm2 operation below.
      const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => enqueue(stack, 'compute', { n: 1_500 + i, m: 2_000 })));
      await stack.pm2('scale', 'worker', '1');
      await stack.pm2('reload', 'worker');
      await stack.pm2('scale', 'worker', '2');
      for (const id of ids) {
        const view = await finished(stack, 'compute', id);
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
  }, STARTS_STACK_MS);
});
