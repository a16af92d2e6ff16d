import { partitionCounts, queueIdentity } from '@floodgate/shared/queues';
import { Queue } from 'bullmq';
import { describe, expect } from 'vitest';
import { applyGlobalConcurrency } from './global-concurrency';
import { harnessTest as it } from '../testing/harness-test';

describe('applyGlobalConcurrency', () => {
  it('clears a limit the catalog does not set, and leaves the API\'s queue settings alone', async ({ harness, prefix }) => {
    // The API opens its queues with a bounded events stream, and someone once set a global limit.
    const apiQueue = new Queue('compute', { connection: harness.connection, prefix, streams: { events: { maxLen: 500 } } });
    await apiQueue.setGlobalConcurrency(3);
    await applyGlobalConcurrency(harness.connection, prefix, partitionCounts());
    expect(await apiQueue.getGlobalConcurrency()).toBeNull();
    expect(await harness.connection.hget(`${prefix}:compute:meta`, 'opts.maxLenEvents')).toBe('500');
    await apiQueue.close();
  });

  it('reaches every partition of a partitioned type, those past the current count included', async ({ harness, prefix }) => {
    // Partition 2 of compute exists from an earlier, larger QUEUE_PARTITIONS, with a stale limit.
    const { name } = queueIdentity('compute', prefix, 2);
    const leftOver = new Queue(name, { connection: harness.connection, prefix });
    await leftOver.setGlobalConcurrency(7);
    await applyGlobalConcurrency(harness.connection, prefix, { ...partitionCounts(), compute: 3 });
    expect(await leftOver.getGlobalConcurrency()).toBeNull();
    await leftOver.close();
  });
});
