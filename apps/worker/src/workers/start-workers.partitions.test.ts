import { catalog, jobOptionsFor } from '@floodgate/shared/jobs';
import { partitionCounts, queueIdentity } from '@floodgate/shared/queues';
import { Queue } from 'bullmq';
import { describe, expect } from 'vitest';
import type { RunningWorkers } from './start-workers';
import { harnessTest } from '../testing/harness-test';
import { settled } from '../testing/worker-harness';

interface Fixtures {
  /** Partition `partition` of compute's queue on the test's prefix, as the API adds to it; closed after the test. */
  partitionQueue(partition: number): Queue;
  /** compute's workers on the test's prefix: `partitions` consumed, `taking` of them new jobs, `concurrency` for the process; closed after the test. */
  computeWorkers(options: { partitions: number; taking?: number; concurrency: number }): RunningWorkers;
}

const it = harnessTest.extend<Fixtures>({
  partitionQueue: ({ harness, prefix, defer }, use) =>
    use((partition) => {
      const { name, prefix: keyPrefix } = queueIdentity('compute', prefix, partition);
      const queue = new Queue(name, { connection: harness.connection, prefix: keyPrefix });
      defer(() => queue.close());
      return queue;
    }),
  computeWorkers: ({ workers }, use) =>
    use((options) =>
      workers({
        types: ['compute'],
        partitions: { ...partitionCounts(), compute: options.partitions },
        ...(options.taking === undefined ? {} : { taking: { ...partitionCounts(), compute: options.taking } }),
        tuning: { lockDurationMs: 10_000, stalledIntervalMs: 5_000, maxStalledCount: 1, concurrency: { compute: options.concurrency } },
      }),
    ),
});

describe('startWorkers with partitions', () => {
  it('consumes every partition up to the mark it is given, spreads the concurrency over them; consume() adds more', async ({ partitionQueue, computeWorkers }) => {
    // 6 per process over 4 partitions: 2, 2, 1, 1 (shares that add up to the total).
    const running = computeWorkers({ partitions: 4, concurrency: 6 });
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
        const queue = partitionQueue(partition);
        return { queue, job: await queue.add('compute', { n: 2, m: 10 }, { ...jobOptionsFor(catalog.compute), jobId: `p${partition}-job` }) };
      }),
    );
    for (const { queue, job } of jobs) expect((await settled(job, queue)).finishedOn).toBeGreaterThan(0);

    // The mark rose to 6 (another process was given more): partitions 4 and 5 are consumed
    // too, and the concurrency is spread over six now.
    running.consume({ ...partitionCounts(), compute: 6 });
    expect(running.byType.map(({ worker }) => worker.concurrency)).toEqual([1, 1, 1, 1, 1, 1]);
    await Promise.all(running.workers.map((worker) => worker.waitUntilReady()));
    const queue = partitionQueue(5);
    const late = await queue.add('compute', { n: 2, m: 10 }, jobOptionsFor(catalog.compute));
    expect((await settled(late, queue)).returnvalue).toMatchObject({ n: 2, m: 10 });
  });

  it('after a shrink, the partitions taking jobs share the concurrency and each one left draining runs one job', async ({ partitionQueue, computeWorkers }) => {
    // QUEUE_PARTITIONS lowered from 8 to 2: the mark still opens 8, but only 2 get new jobs.
    const shrunk = computeWorkers({ partitions: 8, taking: 2, concurrency: 16 });
    try {
      expect(shrunk.byType.map(({ worker }) => worker.concurrency)).toEqual([5, 5, 1, 1, 1, 1, 1, 1]);
      // A leftover partition's job is still drained.
      await Promise.all(shrunk.workers.map((worker) => worker.waitUntilReady()));
      const queue = partitionQueue(7);
      const left = await queue.add('compute', { n: 2, m: 10 }, jobOptionsFor(catalog.compute));
      expect((await settled(left, queue)).finishedOn).toBeGreaterThan(0);
    } finally {
      await shrunk.close(5_000);
    }
  });
});
