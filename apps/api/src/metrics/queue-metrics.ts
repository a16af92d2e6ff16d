import { jobTypes } from '@floodgate/shared/jobs';
import { ListableJobState } from '@floodgate/shared/wire';
import { parseMemoryInfo, type RedisClient } from '@floodgate/shared/redis';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { JobQueues } from '../queues';
import { withRedis } from '../redis-deadline';

/** Longest a scrape waits on Redis; past it the Redis-backed series are left out and `floodgate_redis_up` is 0. */
const SCRAPE_DEADLINE_MS = 1_000;
const STATES = ListableJobState.options;

interface Snapshot {
  counts: Record<string, Record<string, number>>;
  finished: Record<string, { completed: number; failed: number }>;
  usedMemory: number;
  maxMemory: number;
}

/**
 * Cluster-wide series read from Redis at scrape time: queue depth per type and
 * state, completed and failed totals (BullMQ's worker metrics), and Redis
 * memory against its limit. One Redis read per scrape feeds them all.
 */
export function registerQueueMetrics(registry: Registry, queues: JobQueues, redis: RedisClient): void {
  let pending: Promise<Snapshot | undefined> | undefined;
  // Every collect() of one scrape shares the same read; the next scrape reads afresh.
  const snapshot = () => {
    pending ??= readSnapshot(queues, redis).finally(() => setImmediate(() => (pending = undefined)));
    return pending;
  };

  new Gauge({
    name: 'floodgate_redis_up',
    help: '1 when Redis answered the scrape within 1 s, else 0 (and the Redis-backed series are absent).',
    registers: [registry],
    async collect() {
      this.set((await snapshot()) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'floodgate_queue_jobs',
    help: 'Jobs per job type and state.',
    labelNames: ['type', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      const snap = await snapshot();
      for (const [type, counts] of Object.entries(snap?.counts ?? {})) {
        for (const [state, count] of Object.entries(counts)) this.set({ type, state }, count);
      }
    },
  });
  new Counter({
    name: 'floodgate_queue_finished_jobs_total',
    help: 'Jobs completed or failed for good since BullMQ metrics were first enabled, per type (from BullMQ worker metrics).',
    labelNames: ['type', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      const snap = await snapshot();
      for (const [type, totals] of Object.entries(snap?.finished ?? {})) {
        this.inc({ type, status: 'completed' }, totals.completed);
        this.inc({ type, status: 'failed' }, totals.failed);
      }
    },
  });
  for (const [name, help, pick] of [
    ['floodgate_redis_used_memory_bytes', 'Redis used_memory.', (s: Snapshot) => s.usedMemory],
    ['floodgate_redis_maxmemory_bytes', 'Redis maxmemory (0: no limit).', (s: Snapshot) => s.maxMemory],
  ] as const) {
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.reset();
        const snap = await snapshot();
        if (snap) this.set(pick(snap));
      },
    });
  }
}

async function readSnapshot(queues: JobQueues, redis: RedisClient): Promise<Snapshot | undefined> {
  try {
    return await withRedis(
      redis,
      async () => {
        const counts: Snapshot['counts'] = {};
        const finished: Snapshot['finished'] = {};
        await Promise.all(
          jobTypes.map(async (type) => {
            const queue = queues[type];
            // BullMQ counts finished jobs per queue: a partitioned type's total is the sum.
            const finishedCount = async (kind: 'completed' | 'failed') =>
              (await Promise.all(queue.partitions.map((partition) => partition.getMetrics(kind, 0, 0)))).reduce((sum, m) => sum + m.meta.count, 0);
            const [jobCounts, completed, failed] = await Promise.all([queue.getJobCounts(...STATES), finishedCount('completed'), finishedCount('failed')]);
            counts[type] = jobCounts;
            finished[type] = { completed, failed };
          }),
        );
        const info = await redis.info('memory');
        const { usedBytes, maxBytes } = parseMemoryInfo(info);
        return { counts, finished, usedMemory: usedBytes, maxMemory: maxBytes };
      },
      SCRAPE_DEADLINE_MS,
    );
  } catch {
    return undefined;
  }
}
