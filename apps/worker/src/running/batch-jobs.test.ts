import { CANCELLED_BY_REQUEST, defineJob, jobOptionsFor, type BatchPolicy, type JobDefinition } from '@floodgate/shared/jobs';
import { waitFor } from '@floodgate/testkit';
import { Queue, UnrecoverableError, type Job, type Worker } from 'bullmq';
import { describe, expect } from 'vitest';
import { z } from 'zod';
import type { BatchContext, BatchItem, BatchOutcome, JobHandler } from './define-handler';
import { createJobWorker } from '../workers/start-workers';
import { harnessTest } from '../testing/harness-test';
import { settled } from '../testing/worker-harness';
import { DEFAULT_TUNING, type WorkerTuning } from '../workers/worker-tuning';

const Payload = z.strictObject({ n: z.number().int() });
const Result = z.object({ n: z.number(), attempt: z.number(), batchSize: z.number() });
type Payload = z.infer<typeof Payload>;
type Result = z.infer<typeof Result>;
type RunBatch = (items: ReadonlyArray<BatchItem<Payload>>, batch: BatchContext) => Promise<ReadonlyArray<BatchOutcome<Result>>>;

function batchJob(batch: BatchPolicy, attempts = 3): JobDefinition<typeof Payload, typeof Result> {
  return defineJob({ type: 'batch-test', description: 'test only', payload: Payload, result: Result, concurrency: batch.size, attempts, batch });
}

interface BatchRun {
  worker: Worker;
  queue: Queue;
  jobs: Job[];
  /** The jobs, once each has completed or failed for good. */
  finished(): Promise<Job[]>;
}

interface Fixtures {
  /**
   * Adds `count` jobs first, then starts a worker running `runBatch`: the jobs wait
   * together, so the first batch is full whatever the machine's speed. Its worker
   * and queue are closed after the test.
   */
  runBatchType(options: {
    batch: BatchPolicy;
    count: number;
    attempts?: number;
    tuning?: Partial<WorkerTuning>;
    runBatch: RunBatch;
    /** Runs once the jobs are added, before the worker starts. */
    beforeStart?: (jobs: Job[], prefix: string) => Promise<void>;
  }): Promise<BatchRun>;
}

const it = harnessTest.extend<Fixtures>({
  runBatchType: ({ harness, defer }, use) =>
    use(async (options) => {
      const definition = batchJob(options.batch, options.attempts);
      const prefix = harness.newPrefix();
      const queue = new Queue(definition.type, { connection: harness.connection, prefix });
      defer(() => queue.close());
      const jobs = await queue.addBulk(
        Array.from({ length: options.count }, (_, n) => ({
          name: definition.type,
          data: { n },
          opts: { ...jobOptionsFor(definition), backoff: { type: 'fixed', delay: 10 } },
        })),
      );
      await options.beforeStart?.(jobs, prefix);
      const handler: JobHandler<Payload, Result> = {
        type: definition.type,
        run: () => Promise.reject(new Error('a batch type must not be run one job at a time')),
        runBatch: options.runBatch,
      };
      const worker = createJobWorker({
        definition: definition as JobDefinition,
        handler: handler as JobHandler,
        connection: harness.connection,
        prefix,
        logger: harness.logger,
        metrics: harness.metrics,
        tuning: { ...DEFAULT_TUNING, ...options.tuning },
      });
      defer(() => worker.close(true));
      const finished = () => Promise.all(jobs.map((job) => settled(job, queue, 20_000)));
      return { worker, queue, jobs, finished };
    }),
});

const ok = (item: BatchItem<Payload>, batchSize: number): BatchOutcome<Result> => ({
  ok: true,
  result: { n: item.data.n, attempt: item.ctx.attempt, batchSize },
});

describe('batch job types', () => {
  it('hands the handler a full batch and settles each job with its own outcome, retries included', { timeout: 20_000 }, async ({ runBatchType }) => {
    const sizes: number[] = [];
    const { finished } = await runBatchType({
      // Long enough for six waiting jobs to be fetched on a slow machine; the two retries wait it out.
      batch: { size: 6, maxWaitMs: 1_000 },
      count: 6,
      async runBatch(items) {
        sizes.push(items.length);
        return items.map((item): BatchOutcome<Result> => {
          const { n } = item.data;
          // 0, 3: succeed at once; 1, 4: fail the first attempt only; 2, 5: fail for good.
          if (n % 3 === 1 && item.ctx.attempt === 1) return { ok: false, error: new Error(`transient ${n}`) };
          if (n % 3 === 2) return { ok: false, error: new UnrecoverableError(`permanent ${n}`) };
          return ok(item, items.length);
        });
      },
    });
    const jobs = await finished();
    // The first call held all six jobs; the retries came back later, in a batch of their own.
    expect(sizes[0]).toBe(6);
    for (const job of jobs) {
      const n = (job.data as Payload).n;
      if (n % 3 === 0) expect(job.returnvalue).toEqual({ n, attempt: 1, batchSize: 6 });
      if (n % 3 === 1) expect(job.returnvalue).toMatchObject({ n, attempt: 2 });
      if (n % 3 === 2) {
        expect(job.failedReason).toBe(`permanent ${n}`);
        expect(job.attemptsMade).toBe(1);
      }
    }
  });

  it('sends a smaller batch once its first job has waited maxWaitMs', async ({ runBatchType }) => {
    const sizes: number[] = [];
    const { finished } = await runBatchType({
      // Three jobs never fill a batch of 8, so only maxWaitMs sends them; it is long enough for
      // the three waiting jobs to be fetched on a slow machine, so they go together.
      batch: { size: 8, maxWaitMs: 1_000 },
      count: 3,
      runBatch: async (items) => {
        sizes.push(items.length);
        return items.map((item) => ok(item, items.length));
      },
    });
    const jobs = await finished();
    // One call, with all three: a batch smaller than its size, not three jobs run one at a time.
    expect(sizes).toEqual([3]);
    for (const job of jobs) expect(job.returnvalue).toEqual({ n: (job.data as Payload).n, attempt: 1, batchSize: 3 });
  });

  it('runs the jobs of a call that threw again one at a time: only the job that makes it throw fails', async ({ runBatchType }) => {
    const sizes: number[] = [];
    const { finished } = await runBatchType({
      batch: { size: 4, maxWaitMs: 10_000 },
      count: 4,
      attempts: 1,
      async runBatch(items) {
        sizes.push(items.length);
        // Job 2's payload makes the whole call throw (as a thread it crashes would).
        if (items.some((item) => item.data.n === 2)) throw new Error('choked on job 2');
        return items.map((item) => ok(item, items.length));
      },
    });
    const jobs = await finished();
    expect(sizes).toEqual([4, 1, 1, 1, 1]);
    for (const job of jobs) {
      const n = (job.data as Payload).n;
      if (n === 2) expect(job.failedReason).toBe('choked on job 2');
      else expect(job.returnvalue).toEqual({ n, attempt: 1, batchSize: 1 });
    }
  });

  it('leaves out of a batch the jobs cancelled while it filled, and runs a job that stalled before alone', async ({ harness, runBatchType }) => {
    const batches: number[][] = [];
    let stalledId = '';
    const { worker, jobs, finished, queue } = await runBatchType({
      // Three jobs never fill a batch of 4: it goes after maxWaitMs, long enough to cancel one meanwhile.
      batch: { size: 4, maxWaitMs: 1_500 },
      count: 3,
      attempts: 1,
      async beforeStart(added, prefix) {
        // Job 0 was held by a process that died: BullMQ counted one stall on it.
        stalledId = String(added[0]!.id);
        await harness.connection.hset(`${prefix}:batch-test:${stalledId}`, 'stc', '1');
      },
      async runBatch(items) {
        batches.push(items.map((item) => item.data.n));
        return items.map((item) => ok(item, items.length));
      },
    });
    // The stalled one ran alone at once, before the others' batch went.
    await waitFor(() => batches.length === 1, { description: 'the stalled job to run alone' });
    expect(batches[0]).toEqual([0]);
    await waitFor(async () => (await queue.getJobState(String(jobs[2]!.id))) === 'active', { description: 'the others to be taken' });
    expect(worker.cancelJob(String(jobs[1]!.id), CANCELLED_BY_REQUEST)).toBe(true);
    const done = await finished();
    expect(batches).toEqual([[0], [2]]);
    expect(done[1]!.failedReason).toBe('cancelled: the job was cancelled by a request');
    expect(done[2]!.returnvalue).toEqual({ n: 2, attempt: 1, batchSize: 1 });
  });

  it('fails each job of the attempt when the handler throws for all of them, and each retries on its own', async ({ runBatchType }) => {
    let calls = 0;
    const { finished } = await runBatchType({
      batch: { size: 4, maxWaitMs: 10_000 },
      count: 4,
      attempts: 2,
      async runBatch(items) {
        calls += 1;
        if (items.some((item) => item.ctx.attempt === 1)) throw new Error('model server down');
        return items.map((item) => ok(item, items.length));
      },
    });
    const jobs = await finished();
    expect(calls).toBeGreaterThanOrEqual(2);
    for (const job of jobs) {
      expect(job.returnvalue).toMatchObject({ n: (job.data as Payload).n, attempt: 2 });
      expect(job.attemptsMade).toBe(2);
    }

    // With no attempt left, the throw is every job's final failure.
    const once = await runBatchType({
      batch: { size: 3, maxWaitMs: 10_000 },
      count: 3,
      attempts: 1,
      runBatch: () => Promise.reject(new Error('model server down')),
    });
    for (const job of await once.finished()) expect(job.failedReason).toBe('model server down');
  });

  it('cancels one job of a running batch without touching the others', async ({ runBatchType }) => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let started: ReadonlyArray<BatchItem<Payload>> = [];
    const { worker, finished, jobs } = await runBatchType({
      batch: { size: 3, maxWaitMs: 10_000 },
      count: 3,
      async runBatch(items) {
        started = items;
        await released;
        return items.map((item) => ok(item, items.length));
      },
    });
    await waitFor(() => started.length === 3, { description: 'the batch to start' });
    const target = jobs[1] as Job;
    expect(worker.cancelJob(target.id ?? '', CANCELLED_BY_REQUEST)).toBe(true);
    // The cancelled job's own signal fired; its neighbours' did not.
    const cancelledItem = started.find((item) => item.ctx.jobId === target.id);
    expect(cancelledItem?.ctx.signal.aborted).toBe(true);
    expect(started.filter((item) => item.ctx.signal.aborted)).toHaveLength(1);
    release();
    for (const job of await finished()) {
      if (job.id === target.id) {
        expect(job.failedReason).toBe('cancelled: the job was cancelled by a request');
        expect(job.attemptsMade).toBe(1);
      } else {
        expect(job.returnvalue).toMatchObject({ n: (job.data as Payload).n, attempt: 1 });
      }
    }
  });

  it("aborts the batch's signal only once every job of it has stopped waiting", async ({ runBatchType }) => {
    let batchSignal: AbortSignal | undefined;
    let started: ReadonlyArray<BatchItem<Payload>> = [];
    const { worker, finished, jobs } = await runBatchType({
      batch: { size: 2, maxWaitMs: 10_000 },
      count: 2,
      attempts: 1,
      runBatch(items, batch) {
        started = items;
        batchSignal = batch.signal;
        // Settles only when the batch is abandoned, as a thread terminated by its signal would.
        return new Promise((_, reject) => batch.signal.addEventListener('abort', () => reject(batch.signal.reason as Error), { once: true }));
      },
    });
    await waitFor(() => started.length === 2, { description: 'the batch to start' });
    const [first, second] = jobs as [Job, Job];
    expect(worker.cancelJob(first.id ?? '', CANCELLED_BY_REQUEST)).toBe(true);
    expect(batchSignal?.aborted).toBe(false);
    expect(worker.cancelJob(second.id ?? '', CANCELLED_BY_REQUEST)).toBe(true);
    expect(batchSignal?.aborted).toBe(true);
    for (const job of await finished()) expect(job.failedReason).toBe('cancelled: the job was cancelled by a request');
  });

  it('renews the lock of every job of a batch that outlives the lock duration', { timeout: 20_000 }, async ({ runBatchType }) => {
    const lockDurationMs = 1_000;
    const renewals = new Map<string, number>();
    const stalled: string[] = [];
    let calls = 0;
    const run = await runBatchType({
      batch: { size: 4, maxWaitMs: 10_000 },
      count: 4,
      // A stalled check every 250 ms would hand any job whose lock lapsed to another attempt.
      tuning: { lockDurationMs, stalledIntervalMs: 250 },
      async runBatch(items) {
        calls += 1;
        const ids = items.map((item) => item.ctx.jobId);
        const startedAt = Date.now();
        // Hold the batch past twice the lock duration, and until every job's lock was renewed
        // at least twice: without renewals the stalled check would have taken them back.
        await waitFor(() => Date.now() - startedAt > 2 * lockDurationMs && ids.every((id) => (renewals.get(id) ?? 0) >= 2), {
          timeoutMs: 15_000,
          intervalMs: 20,
          description: 'the batch to outlive its locks, renewed',
        });
        return items.map((item) => ok(item, items.length));
      },
    });
    const worker: Worker = run.worker;
    worker.on('locksRenewed', ({ jobIds }: { jobIds: string[] }) => {
      for (const id of jobIds) renewals.set(id, (renewals.get(id) ?? 0) + 1);
    });
    worker.on('stalled', (jobId: string) => stalled.push(jobId));
    const jobs = await run.finished();
    expect(calls).toBe(1);
    expect(stalled).toEqual([]);
    for (const job of jobs) {
      expect(job.returnvalue).toEqual({ n: (job.data as Payload).n, attempt: 1, batchSize: 4 });
      expect(job.attemptsStarted).toBe(1);
    }
  });
});
