import { catalog, jobOptionsFor } from '@floodgate/shared/jobs';
import { partitionCounts, queueIdentity } from '@floodgate/shared/queues';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeHandlers, createHandlers, type Handlers } from '../handlers';
import { startWorkers, type RunningWorkers } from './start-workers';
import { settled, startHarness, type WorkerHarness } from '../testing/worker-harness';

let harness: WorkerHarness;
let handlers: Handlers;
let running: RunningWorkers | undefined;
const opened: Queue[] = [];

beforeAll(async () => {
  harness = await startHarness();
  handlers = createHandlers({ cpuPool: harness.cpuPool });
});
afterAll(async () => {
  await running?.close(5_000);
  await Promise.all(opened.map((queue) => queue.close()));
  if (handlers) await closeHandlers(handlers);
  await harness?.stop();
});

/** Partition `partition` of `type`'s queue, as the API adds to it. */
function partitionQueue(prefix: string, partition: number): Queue {
  const { name, prefix: keyPrefix } = queueIdentity('compute', prefix, partition);
  const queue = new Queue(name, { connection: harness.connection, prefix: keyPrefix });
  opened.push(queue);
  return queue;
}

/** compute's workers on `prefix`: `partitions` consumed, `taking` of them new jobs, `concurrency` for the process. */
function computeWorkers(prefix: string, options: { partitions: number; taking?: number; concurrency: number }) {
  return startWorkers({
    connection: harness.connection,
    prefix,
    handlers,
    logger: harness.logger,
    metrics: harness.metrics,
    types: ['compute'],
    partitions: { ...partitionCounts(), compute: options.partitions },
    ...(options.taking === undefined ? {} : { taking: { ...partitionCounts(), compute: options.taking } }),
    tuning: { lockDurationMs: 10_000, stalledIntervalMs: 5_000, maxStalledCount: 1, concurrency: { compute: options.concurrency } },
  });
}

describe('startWorkers with partitions', () => {
  it('consumes every partition up to the mark it is given, spreads the concurrency over them; consume() adds more', async () => {
    const prefix = harness.newPrefix();
    // 6 per process over 4 partitions: 2, 2, 1, 1 (shares that add up to the total).
    running = computeWorkers(prefix, { partitions: 4, concurrency: 6 });
    await Promise.all(running.workers.map((worker) => worker.waitUntilReady()));
    expect(running.byType.map(({ partition, worker }) => [partition, worker.concurrency])).toEqual([
      [0, 2],
      [1, 2],
      [2, 1],
      [3, 1],
    ]);

    // A job in each partition.
    const jobs = await Promise.all(
      [0, 1, 2, 3].map(async (partition) => {
        const queue = partitionQueue(prefix, partition);
        return { queue, job: await queue.add('compute', { n: 2, m: 10 }, { ...jobOptionsFor(catalog.compute), jobId: `p${partition}-job` }) };
      }),
    );
    for (const { queue, job } of jobs) expect((await settled(job, queue)).finishedOn).toBeGreaterThan(0);

    // The mark rose to 6 (another process was given more): partitions 4 and 5 are consumed
    // too, and the concurrency is spread over six now.
    running.consume({ ...partitionCounts(), compute: 6 });
    expect(running.byType.map(({ worker }) => worker.concurrency)).toEqual([1, 1, 1, 1, 1, 1]);
    await Promise.all(running.workers.map((worker) => worker.waitUntilReady()));
    const queue = partitionQueue(prefix, 5);
    const late = await queue.add('compute', { n: 2, m: 10 }, jobOptionsFor(catalog.compute));
    expect((await settled(late, queue)).returnvalue).toMatchObject({ n: 2, m: 10 });
  });

  it('after a shrink, the partitions taking jobs share the concurrency and each one left draining runs one job', async () => {
    const prefix = harness.newPrefix();
    // QUEUE_PARTITIONS lowered from 8 to 2: the mark still opens 8, but only 2 get new jobs.
    const shrunk = computeWorkers(prefix, { partitions: 8, taking: 2, concurrency: 16 });
    try {
      expect(shrunk.byType.map(({ worker }) => worker.concurrency)).toEqual([5, 5, 1, 1, 1, 1, 1, 1]);
      // A leftover partition's job is still drained.
      await Promise.all(shrunk.workers.map((worker) => worker.waitUntilReady()));
      const queue = partitionQueue(prefix, 7);
      const left = await queue.add('compute', { n: 2, m: 10 }, jobOptionsFor(catalog.compute));
      expect((await settled(left, queue)).finishedOn).toBeGreaterThan(0);
    } finally {
      await shrunk.close(5_000);
    }
  });
});
