import { fairPartition, type FairPartition } from '@floodgate/shared/fairness';
import { defineJob, jobOptionsFor, type JobDefinition } from '@floodgate/shared/jobs';
import { metricValue, waitFor } from '@floodgate/testkit';
import { Queue, type Job, type Worker } from 'bullmq';
import { describe, expect } from 'vitest';
import { z } from 'zod';
import type { JobHandler } from '../running/define-handler';
import { createJobWorker } from './start-workers';
import { harnessTest } from '../testing/harness-test';
import { startHarness, type WorkerHarness } from '../testing/worker-harness';
import { DEFAULT_TUNING } from './worker-tuning';

/**
 * Fair dispatch with floodgate's own worker: jobs added as the API adds them
 * (to their tenants' lanes), run by `createJobWorker`, which registers its
 * slots, settles ends and retries, and takes the next job of whoever's turn
 * it is. Each job sleeps for a set time and says whose it is, so the test can
 * watch who runs when.
 */
const Sleep = z.strictObject({ tenant: z.string(), ms: z.number().int().min(0), failFirst: z.boolean().optional() });
type Sleep = z.infer<typeof Sleep>;

function sleepJob(options: { concurrency: number; tenantConcurrency?: number }): JobDefinition {
  return defineJob({
    type: 'fair-sleep',
    description: 'test only',
    payload: Sleep,
    result: z.object({}),
    concurrency: options.concurrency,
    attempts: 2,
    backoff: { type: 'fixed', delayMs: 300, jitter: 0 },
    ...(options.tenantConcurrency === undefined ? {} : { tenantConcurrency: options.tenantConcurrency }),
  }) as JobDefinition;
}

/** What the handler saw: per tenant, how many ran at once at most and how many finished; every start in order. */
interface Watch {
  running: Map<string, number>;
  most: Map<string, number>;
  done: Map<string, number>;
  /** Tenants in the order their jobs started. */
  starts: string[];
}

function sleepHandler(watch: Watch): JobHandler {
  return {
    type: 'fair-sleep',
    async run(data, ctx) {
      const { tenant, ms, failFirst } = data as Sleep;
      watch.starts.push(tenant);
      const now = (watch.running.get(tenant) ?? 0) + 1;
      watch.running.set(tenant, now);
      watch.most.set(tenant, Math.max(watch.most.get(tenant) ?? 0, now));
      try {
        await new Promise((resolve) => setTimeout(resolve, ms));
        if (failFirst && ctx.attempt === 1) throw new Error('first attempt fails');
        watch.done.set(tenant, (watch.done.get(tenant) ?? 0) + 1);
        return {};
      } finally {
        watch.running.set(tenant, (watch.running.get(tenant) ?? 1) - 1);
      }
    },
  };
}

/** A fresh queue of the sleep type, with its fairness operations and a way to start workers on it. */
interface Lane {
  redis: WorkerHarness['connection'];
  queue: Queue;
  fair: FairPartition;
  watch: Watch;
  add(tenant: string, jobs: number, options?: { ms?: number; weight?: number; delayMs?: number; failFirst?: boolean }): Promise<string[]>;
  startWorker(options: { concurrency: number; tenantConcurrency?: number }): Worker;
}

interface Fixture {
  lane: Lane;
  /** A harness of this test's own, on a Redis with the append-only file on: the test may restart it. */
  ownHarness: WorkerHarness;
  /** A lane on {@link Fixture.ownHarness}. */
  laneOnOwnRedis: Lane;
}

const test = harnessTest.extend<Fixture>({
  lane: ({ harness }, use) => openLane(harness, use),
  // eslint-disable-next-line no-empty-pattern
  ownHarness: async ({}, use) => {
    const harness = await startHarness({ appendonly: true });
    await use(harness);
    await harness.stop();
  },
  laneOnOwnRedis: ({ ownHarness }, use) => openLane(ownHarness, use),
});

/** Opens a lane on `harness` for one test, and closes its workers and queue after it. */
async function openLane(harness: WorkerHarness, use: (lane: Lane) => Promise<void>): Promise<void> {
  const prefix = harness.newPrefix();
  const queue = new Queue('fair-sleep', { connection: harness.connection, prefix });
  const fair = fairPartition(harness.connection, queue);
  const watch: Watch = { running: new Map(), most: new Map(), done: new Map(), starts: [] };
  const workers: Worker[] = [];
  let n = 0;
  const options = jobOptionsFor(sleepJob({ concurrency: 1 }));
  await use({
    redis: harness.connection,
    queue,
    fair,
    watch,
    async add(tenant, jobs, more = {}) {
      const ids: string[] = [];
      for (let i = 0; i < jobs; i++) {
        const id = `j${++n}`;
        const opts = { ...options, jobId: id, tenant, ...(more.delayMs ? { delay: more.delayMs } : {}) };
        const reply = await fair.add({
          id,
          name: 'fair-sleep',
          data: JSON.stringify({ tenant, ms: more.ms ?? 20, ...(more.failFirst ? { failFirst: true } : {}) }),
          opts: JSON.stringify(opts),
          timestamp: Date.now(),
          delayMs: more.delayMs ?? 0,
          priority: 0,
          tenant: { id: tenant, group: '' },
          weight: more.weight ?? 1,
          backlogCap: 0,
        });
        if (reply.outcome !== 'added') throw new Error(`the add of ${id} was not stored: ${reply.outcome}`);
        ids.push(reply.id);
      }
      return ids;
    },
    startWorker(workerOptions) {
      const definition = sleepJob(workerOptions);
      const worker = createJobWorker({
        definition,
        handler: sleepHandler(watch),
        connection: harness.connection,
        prefix,
        logger: harness.logger,
        metrics: harness.metrics,
        tuning: DEFAULT_TUNING,
      });
      workers.push(worker);
      return worker;
    },
  });
  await Promise.all(workers.map((worker) => worker.close(true)));
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
}

const startedAfter = (job: Job) => (job.processedOn ?? 0) - job.timestamp - (job.opts.delay ?? 0);

function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.95 * sorted.length) - 1] ?? Number.NaN;
}

describe('fair dispatch with floodgate workers', () => {
  test("starts a trickling tenant's jobs after a handful of the flood's, while the flood has thousands waiting, and gives the flood what nobody else uses", { timeout: 60_000 }, async ({ lane, harness }) => {
    // 30 ms jobs: slower than settle calls come, so the share stays the 4 slots even on a slow machine.
    await lane.add('key:flood', 2_000, { ms: 30 });
    const worker = lane.startWorker({ concurrency: 4 });
    const trickled: Array<{ id: string; floodStartsBefore: number }> = [];
    const floodStarts = () => lane.watch.starts.filter((tenant) => tenant === 'key:flood').length;
    // Four tenants, one job every 200 ms each, for 3 s.
    for (let round = 0; round < 15; round++) {
      for (const tenant of ['key:t1', 'key:t2', 'key:t3', 'key:t4']) {
        const before = floodStarts();
        const [id] = await lane.add(tenant, 1, { ms: 30 });
        trickled.push({ id: id!, floodStartsBefore: before });
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const jobs = await waitFor(async () => {
      const all = await Promise.all(trickled.map(({ id }) => lane.queue.getJob(id)));
      return all.every((job) => job?.processedOn !== undefined) ? (all as Job[]) : undefined;
    }, { description: 'every trickled job started' });
    await worker.pause(true);
    // How many of the flood's jobs started between each trickled job's add and its own start: the
    // ones already dispatched (the target: twice the 4 slots) and a turn or two, never the backlog.
    const startIndex = new Map<string, number>();
    const ahead = trickled.map(({ floodStartsBefore }, n) => {
      const tenant = `key:t${(n % 4) + 1}`;
      const nth = (startIndex.get(tenant) ?? 0) + 1;
      startIndex.set(tenant, nth);
      let seen = 0;
      let floodSeen = 0;
      for (const started of lane.watch.starts) {
        if (started === 'key:flood') floodSeen++;
        else if (started === tenant && ++seen === nth) break;
      }
      return floodSeen - floodStartsBefore;
    });
    const waits = jobs.map(startedAfter);
    expect(Math.max(...ahead), `flood jobs started ahead of each trickled one: ${ahead.join(', ')}; waits to start (ms): p95 ${p95(waits)}`).toBeLessThanOrEqual(12);
    // The flood still has over a thousand waiting: the trickle did not wait behind it...
    expect(Number(await lane.redis.zscore(lane.fair.keys.backlog, 'key:flood'))).toBeGreaterThan(1_000);
    // ...and the flood ran all the while the trickle was not using the slots (work-conserving).
    expect(floodStarts()).toBeGreaterThan(lane.watch.starts.length / 2);
    // Each start is in the worker's wait-to-start histogram.
    const metrics = await harness.registry.metrics();
    expect(metricValue(metrics, 'floodgate_job_wait_to_start_seconds_count', { type: 'fair-sleep' })).toBeGreaterThanOrEqual(jobs.length);
  });

  test('keeps a worker fed when its jobs end faster than settle calls come: the target grows past twice its slots', { timeout: 30_000 }, async ({ lane }) => {
    await lane.add('key:short', 500, { ms: 0 });
    lane.startWorker({ concurrency: 1 });
    // With a target of twice the one slot, two jobs run per settle call, at least 20 ms apart. The worker reports
    // more ends per call than that target holds, and its share follows them.
    let most = 0;
    await waitFor(async () => {
      most = Math.max(most, Number(await lane.redis.hget(lane.fair.keys.meta, 'target')));
      return lane.watch.done.get('key:short') === 500 ? true : undefined;
    }, { description: 'all 500 jobs done', intervalMs: 10 });
    expect(most, 'the most jobs the partition kept in wait + active').toBeGreaterThan(2);
  });

  test('gives tenants shares in proportion to their weights, within 10%', { timeout: 30_000 }, async ({ lane }) => {
    await lane.add('key:heavy', 400, { ms: 10, weight: 3 });
    await lane.add('key:light', 400, { ms: 10, weight: 1 });
    const worker = lane.startWorker({ concurrency: 4 });
    await waitFor(() => ((lane.watch.done.get('key:heavy') ?? 0) + (lane.watch.done.get('key:light') ?? 0) >= 200 ? true : undefined), {
      description: '200 jobs done',
    });
    await worker.pause(true);
    const heavy = lane.watch.done.get('key:heavy') ?? 0;
    const light = lane.watch.done.get('key:light') ?? 0;
    expect(heavy / (heavy + light)).toBeGreaterThan(0.75 * 0.9);
    expect(heavy / (heavy + light)).toBeLessThan(0.75 * 1.1);
  });

  test("never runs more of a tenant's jobs at once than its cap, and frees every slot at the end", { timeout: 30_000 }, async ({ lane }) => {
    for (const tenant of ['key:a', 'key:b', 'key:c']) await lane.add(tenant, 20, { ms: 30 });
    lane.startWorker({ concurrency: 8, tenantConcurrency: 2 });
    await waitFor(() => (['key:a', 'key:b', 'key:c'].every((t) => lane.watch.done.get(t) === 20) ? true : undefined), { description: 'all 60 jobs done' });
    expect(Math.max(...lane.watch.most.values())).toBe(2);
    await waitFor(async () => ((await lane.redis.scard(lane.fair.keys.running)) === 0 ? true : undefined), {
      description: 'no tenant holds a running slot',
    });
  });

  test('keeps every tenant served through a Redis restart: every job done, no cap exceeded, every slot back', { timeout: 120_000 }, async ({ ownHarness, laneOnOwnRedis: lane }) => {
    const tenants = ['key:a', 'key:b', 'key:c'];
    for (const tenant of tenants) await lane.add(tenant, 20, { ms: 100 });
    lane.startWorker({ concurrency: 6, tenantConcurrency: 2 });
    const done = () => [...lane.watch.done.values()].reduce((sum, n) => sum + n, 0);
    await waitFor(() => (done() >= 10 ? true : undefined), { description: '10 jobs done before the restart' });
    // Mid-run, with slots held and lanes full: Redis goes away and comes back from its append-only file.
    expect(done()).toBeLessThan(40);
    await ownHarness.redis.kill();
    await ownHarness.redis.restart();
    await waitFor(async () => ((await lane.queue.getJobCounts('completed')).completed === 60 ? true : undefined), {
      timeoutMs: 90_000,
      description: 'all 60 jobs completed after the restart',
    });
    expect(tenants.map((tenant) => (lane.watch.done.get(tenant) ?? 0) >= 20)).toEqual([true, true, true]);
    expect(Math.max(...lane.watch.most.values())).toBeLessThanOrEqual(2);
    await waitFor(async () => ((await lane.redis.scard(lane.fair.keys.running)) === 0 ? true : undefined), {
      timeoutMs: 30_000,
      description: 'no tenant holds a running slot',
    });
  });

  test('holds a paused tenant back while the others run, and runs it once resumed', { timeout: 30_000 }, async ({ lane }) => {
    await lane.fair.pauseTenant('key:quarantined', true);
    await lane.add('key:quarantined', 10, { ms: 5 });
    await lane.add('key:fine', 10, { ms: 5 });
    lane.startWorker({ concurrency: 4 });
    await waitFor(() => (lane.watch.done.get('key:fine') === 10 ? true : undefined), { description: 'the other tenant done' });
    expect(lane.watch.done.get('key:quarantined') ?? 0).toBe(0);
    await lane.fair.pauseTenant('key:quarantined', false);
    await waitFor(() => (lane.watch.done.get('key:quarantined') === 10 ? true : undefined), { description: 'the resumed tenant done' });
  });

  test("sends a retry back to its tenant's turn, so its slot serves the tenant's next job meanwhile", { timeout: 30_000 }, async ({ lane }) => {
    const [failing] = await lane.add('key:a', 1, { ms: 5, failFirst: true });
    const [next] = await lane.add('key:a', 1, { ms: 5 });
    lane.startWorker({ concurrency: 4, tenantConcurrency: 1 });
    const second = await waitFor(async () => {
      const job = await lane.queue.getJob(next!);
      return job?.finishedOn === undefined ? undefined : job;
    }, { description: 'the second job done' });
    const first = await waitFor(async () => {
      const job = await lane.queue.getJob(failing!);
      return job?.finishedOn === undefined ? undefined : job;
    }, { description: 'the retried job done' });
    expect(first.attemptsMade).toBe(2);
    // With a cap of 1, the second job ran during the first one's 300 ms back-off, not after it.
    expect(second.finishedOn!).toBeLessThan(first.processedOn!);
  });

  test('runs a delayed job once its delay is over, through its lane', { timeout: 30_000 }, async ({ lane }) => {
    const [id] = await lane.add('key:a', 1, { ms: 1, delayMs: 300 });
    expect(await lane.queue.getJobState(id!)).toBe('unknown');
    lane.startWorker({ concurrency: 2 });
    const job = await waitFor(async () => {
      const found = await lane.queue.getJob(id!);
      return found?.finishedOn === undefined ? undefined : found;
    }, { description: 'the delayed job done' });
    expect(job.processedOn! - job.timestamp).toBeGreaterThanOrEqual(300);
  });

  test("moves a schedule's run back to its tenant's turn and runs it", { timeout: 30_000 }, async ({ lane }) => {
    await lane.fair.pauseTenant('key:scheduler', true);
    await lane.queue.upsertJobScheduler('every-second', { every: 1_000 }, {
      name: 'fair-sleep',
      data: { tenant: 'key:scheduler', ms: 1 },
      opts: { ...jobOptionsFor(sleepJob({ concurrency: 1 })), tenant: 'key:scheduler' } as never,
    });
    lane.startWorker({ concurrency: 2 });
    // The tenant is paused: its run is taken back to its lane instead of running.
    await waitFor(async () => ((await lane.redis.zscore(lane.fair.keys.backlog, 'key:scheduler')) === '1' ? true : undefined), {
      description: "the schedule's run in its tenant's lane",
    });
    expect(lane.watch.done.get('key:scheduler') ?? 0).toBe(0);
    await lane.fair.pauseTenant('key:scheduler', false);
    await waitFor(() => ((lane.watch.done.get('key:scheduler') ?? 0) >= 1 ? true : undefined), { description: "the schedule's run done" });
    await lane.queue.removeJobScheduler('every-second');
  });
});
