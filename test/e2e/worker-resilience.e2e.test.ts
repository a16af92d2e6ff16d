import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { catalog, jobOptionsFor } from '@floodgate/shared/jobs';
import { listHeartbeats } from '@floodgate/shared/workers';
import { freePort, spawnNodeProcess, waitFor } from '@floodgate/testkit';
import { Queue } from 'bullmq';
import { describe, expect } from 'vitest';
import { finished, privateRedisTest as it } from './private-redis-fixture';
import { API_ENTRY, apiKey, auth, FAST_RECOVERY_ENV, ROOT } from './stack-entries';

describe('worker crash recovery', () => {
  it('hands the job of a SIGKILLed worker process to another process, which completes it', async ({ connection, prefix, startWorker }) => {
    const [first, second] = [await startWorker(), await startWorker()];
    const queue = new Queue('compute', { connection, prefix });
    // A few seconds of CPU on a pool thread: long enough to be killed mid-way.
    const job = await queue.add('compute', { n: 6_000, m: 2_000 }, jobOptionsFor(catalog.compute));
    const active = await waitFor(async () => {
      const current = await queue.getJob(String(job.id));
      return (await current?.getState()) === 'active' && current?.processedBy ? current : undefined;
    });
    const victim = [first, second].find((p) => active.processedBy?.endsWith(`:${p?.pid}`));
    const survivor = [first, second].find((p) => p !== victim);
    expect(victim).toBeDefined();
    await victim?.kill();

    const { job: done, state } = await finished(queue, String(job.id));
    expect(state).toBe('completed');
    expect(done.processedBy).toMatch(new RegExp(`:${survivor?.pid}$`));
    expect(done.returnvalue).toMatchObject({ operations: 12_000_000 });
    // The dead process drops off the live list once its last heartbeat expires.
    await waitFor(async () => {
      const ids = (await listHeartbeats(connection, prefix)).map((beat) => beat.pid);
      return ids.length === 1 && ids[0] === survivor?.pid;
    });
    await queue.close();
  });
});

describe('a poison job', () => {
  it('fails after maxStalledCount with a clear reason while other jobs flow, and pm2 restarts the process it killed', async ({ redis, connection, prefix }) => {
    const pm2Home = await mkdtemp(join(tmpdir(), 'floodgate-pm2-poison-'));
    const env = { ...process.env, PM2_HOME: pm2Home, REDIS_URL: redis.url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn', ...FAST_RECOVERY_ENV };
    const pm2 = async (...args: string[]) =>
      (await promisify(execFile)(join(ROOT, 'node_modules/.bin/pm2'), args, { cwd: ROOT, env, timeout: 60_000 })).stdout;
    try {
      // Flags as in ecosystem.config.js: cluster mode, wait_ready, exponential restart back-off.
      await pm2('start', 'test/e2e/fixtures/poisoned-worker.js', '--name', 'poisoned', '-i', '2', '--wait-ready', '--exp-backoff-restart-delay', '200');
      const compute = new Queue('compute', { connection, prefix });
      const sentiment = new Queue('sentiment', { connection, prefix });
      const poison = await compute.add('compute', { n: 13, m: 10 }, jobOptionsFor(catalog.compute));

      // Meanwhile, ordinary jobs keep flowing: one every 100 ms until the poison job is gone.
      // A job that happened to be running in a process at the instant the poison
      // killed it stalls with it (collateral, counted by BullMQ like any stall); the
      // stall checker then hands it back together with the poison, so it can share the
      // poison's second kill too. Anything else must complete. Jobs are added at a
      // steady pace rather than one after another's finish: a single collateral job
      // must not end the window with nothing sent past it.
      const healthyIds: string[] = [];
      while (!['completed', 'failed'].includes(await compute.getJobState(String(poison.id)))) {
        healthyIds.push(String((await sentiment.add('sentiment', { text: 'a fine day' }, jobOptionsFor(catalog.sentiment))).id));
        await delay(100);
      }
      const { job, state } = await finished(compute, String(poison.id));
      expect(state).toBe('failed');
      expect(job.failedReason).toMatch(/stalled more than allowable limit/);
      const outcomes = await Promise.all(healthyIds.map((id) => finished(sentiment, id)));
      for (const outcome of outcomes) {
        if (outcome.state === 'failed') expect(outcome.job.failedReason).toMatch(/stalled/);
      }
      // Flowing *while* the poison was still being retried: finished before it failed.
      const finishedBeforePoison = outcomes.filter((o) => o.state === 'completed' && (o.job.finishedOn ?? Infinity) < (job.finishedOn ?? 0));
      expect(finishedBeforePoison.length).toBeGreaterThanOrEqual(1);
      const after = await sentiment.add('sentiment', { text: 'still here' }, jobOptionsFor(catalog.sentiment));
      expect((await finished(sentiment, String(after.id))).state).toBe('completed');

      const list = JSON.parse(await pm2('jlist')) as Array<{ name: string; pm2_env: { restart_time: number } }>;
      const restarts = list.filter((p) => p.name === 'poisoned').reduce((sum, p) => sum + p.pm2_env.restart_time, 0);
      expect(restarts).toBeGreaterThanOrEqual(2);
      await compute.close();
      await sentiment.close();
    } finally {
      await pm2('kill').catch(() => undefined);
      await rm(pm2Home, { recursive: true, force: true });
    }
  });
});

describe('cancelling a running job', () => {
  it('fires the handler\'s signal through DELETE, and the job fails with "cancelled", not retried', async ({ redis, connection, prefix, processes, startWorker }) => {
    const apiPort = await freePort();
    await startWorker();
    processes.push(
      await spawnNodeProcess(API_ENTRY, { REDIS_URL: redis.url, QUEUE_PREFIX: prefix, API_PORT: String(apiPort), API_METRICS_PORT: '0', API_HEALTH_PORT: '0', API_KEYS: JSON.stringify([apiKey.record]) }),
    );
    const api = `http://127.0.0.1:${apiPort}`;
    const posted = await fetch(`${api}/v1/jobs/compute`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      // Seconds of CPU on the pool thread: long enough to be cancelled mid-way.
      body: JSON.stringify({ payload: { n: 8_000, m: 2_000 } }),
    });
    const { id } = (await posted.json()) as { id: string };
    const queue = new Queue('compute', { connection, prefix });
    await waitFor(async () => (await queue.getJobState(id)) === 'active');
    const cancel = await fetch(`${api}/v1/jobs/compute/${id}`, { method: 'DELETE', headers: auth });
    expect(cancel.status).toBe(202);
    const { job, state } = await finished(queue, id);
    expect(state).toBe('failed');
    expect(job.failedReason).toMatch(/^cancelled: /);
    expect(job.attemptsMade).toBe(1);
    await queue.close();
  });
});

describe('a Redis outage', () => {
  it('answers 503 while Redis is down, reconnects by itself, and completes every acknowledged job', async ({ redis, connection, prefix, processes, startWorker }) => {
    const apiPort = await freePort();
    await startWorker({ WORKER_CPU_THREADS: '2' });
    processes.push(
      await spawnNodeProcess(API_ENTRY, { REDIS_URL: redis.url, QUEUE_PREFIX: prefix, API_PORT: String(apiPort), API_METRICS_PORT: '0', API_HEALTH_PORT: '0', API_KEYS: JSON.stringify([apiKey.record]) }),
    );
    const api = `http://127.0.0.1:${apiPort}`;
    const post = (n: number) =>
      fetch(`${api}/v1/jobs/compute`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ payload: { n, m: 20_000 } }),
        signal: AbortSignal.timeout(10_000),
      });
    const acknowledged: string[] = [];
    const enqueue = async (n: number) => {
      const res = await post(n);
      if (res.status === 202) acknowledged.push(((await res.json()) as { id: string }).id);
      return res.status;
    };

    // Enough work that some of it is still waiting when Redis goes away.
    for (let i = 1; i <= 12; i++) expect(await enqueue(20 + i)).toBe(202);
    await redis.kill();
    for (let i = 0; i < 3; i++) expect(await enqueue(100 + i)).toBe(503);
    expect((await fetch(`${api}/healthz`)).status).toBe(200);

    await redis.restart();
    await waitFor(async () => (await enqueue(200)) === 202, { timeoutMs: 20_000, description: 'the API to accept jobs again' });
    for (let i = 1; i <= 3; i++) expect(await enqueue(300 + i)).toBe(202);

    const queue = new Queue('compute', { connection, prefix });
    for (const id of acknowledged) expect((await finished(queue, id)).state, `job ${id}`).toBe('completed');
    expect(acknowledged).toHaveLength(16);
    await queue.close();
  });
});

