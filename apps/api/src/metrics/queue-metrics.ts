import { readTenantReports, type TenantReport } from '@floodgate/shared/fairness';
import { jobTypes } from '@floodgate/shared/jobs';
import { ListableJobState } from '@floodgate/shared/wire';
import { parseMemoryInfo, type RedisClient } from '@floodgate/shared/redis';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { JobQueues } from '../redis/queues';
import { withRedis } from '../redis/redis-deadline';

/** Longest a scrape waits on Redis; past it the Redis-backed series are left out and `floodgate_redis_up` is 0. */
const SCRAPE_DEADLINE_MS = 1_000;
const STATES = ListableJobState.options;

interface Snapshot {
  counts: Record<string, Record<string, number>>;
  finished: Record<string, { completed: number; failed: number }>;
  /** The busiest tenants of each fair type: a bounded set, so the tenant label's values stay few. */
  tenants: Record<string, TenantReport[]>;
  usedMemory: number;
  maxMemory: number;
}

/** Tenants per type the per-tenant series carry (the busiest by backlog): a label per tenant of all of them would grow without bound. */
export const METRICS_TOP_TENANTS = 10;

/**
 * Cluster-wide series read from Redis at scrape time: queue depth per type and
 * state, completed and failed totals (BullMQ's worker metrics), the busiest
 * tenants of each type (backlog, running jobs, wait to start p95), and Redis
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
    ['floodgate_tenant_backlog_jobs', 'Jobs waiting for their tenant\'s turn, for the busiest tenants of each type.', (t: TenantReport) => t.backlog],
    ['floodgate_tenant_running_jobs', 'Jobs of the tenant dispatched and not finished, for the busiest tenants of each type.', (t: TenantReport) => t.running],
    [
      'floodgate_tenant_wait_to_start_p95_seconds',
      'Wait from added (or due) to started over the tenant\'s recent jobs, 95th percentile, for the busiest tenants of each type.',
      (t: TenantReport) => (t.waitToStart ? t.waitToStart.p95Ms / 1_000 : undefined),
    ],
  ] as const) {
    new Gauge({
      name,
      help,
      labelNames: ['type', 'tenant'],
      registers: [registry],
      async collect() {
        // Reset on every scrape: a tenant that left the top N leaves the series.
        this.reset();
        const snap = await snapshot();
        for (const [type, tenants] of Object.entries(snap?.tenants ?? {})) {
          for (const report of tenants) {
            const value = pick(report);
            if (value !== undefined) this.set({ type, tenant: report.tenant }, value);
          }
        }
      },
    });
  }
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
        const tenants: Snapshot['tenants'] = {};
        await Promise.all(
          jobTypes.map(async (type) => {
            const queue = queues[type];
            // BullMQ counts finished jobs per queue: a partitioned type's total is the sum.
            const finishedCount = async (kind: 'completed' | 'failed') =>
              (await Promise.all(queue.partitions.map((partition) => partition.getMetrics(kind, 0, 0)))).reduce((sum, m) => sum + m.meta.count, 0);
            const [jobCounts, completed, failed, busiest] = await Promise.all([
              queue.getJobCounts(...STATES),
              finishedCount('completed'),
              finishedCount('failed'),
              readTenantReports(redis, queue.partitions, { offset: 0, limit: METRICS_TOP_TENANTS }),
            ]);
            counts[type] = jobCounts;
            finished[type] = { completed, failed };
            tenants[type] = busiest.tenants;
          }),
        );
        const info = await redis.info('memory');
        const { usedBytes, maxBytes } = parseMemoryInfo(info);
        return { counts, finished, tenants, usedMemory: usedBytes, maxMemory: maxBytes };
      },
      SCRAPE_DEADLINE_MS,
    );
  } catch {
    return undefined;
  }
}
