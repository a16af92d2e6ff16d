import type { RedisClient } from '../redis/create-redis';
import { fairKeys, type QueueKeysOf } from '../redis/keys';

/** One tenant of a fair type, over every partition: what operators look at. */
export interface TenantReport {
  /** `key:<id>`, `ip:<address>` or `anonymous`. */
  tenant: string;
  /** Jobs waiting for the tenant's turn, delayed ones included. */
  backlog: number;
  /** Jobs dispatched and not yet finished (running, or next in BullMQ's wait list). */
  running: number;
  /** Whether an operator paused the tenant (in any partition). */
  paused: boolean;
  /** The tenant's weight (its key's), as its last job carried it; 1 when unknown. */
  weight: number;
  /** Wait to start of its recent jobs (up to 100 per partition, the last 10 minutes): p50 and p95 in ms; null without any. */
  waitToStart: { p50Ms: number; p95Ms: number; samples: number } | null;
}

/** How long a tenant whose jobs started stays listed after it drained (fair-settle.lua's RECENT_MS). */
const RECENT_MS = 600_000;

/** Most tenants one page lists. */
export const MAX_TENANT_PAGE = 100;
/** Deepest offset a page may start at: a report reads every partition's busiest tenants up to it. */
export const MAX_TENANT_OFFSET = 10_000;

/**
 * The busiest tenants of one fair type: by backlog (summed over partitions),
 * then running jobs, then name; tenants that run, are paused, or had jobs
 * start in the last 10 minutes, with no backlog, come after. Costs per page:
 * `offset + limit` tenants read per partition, then a few reads per listed tenant.
 */
export async function readTenantReports(
  redis: RedisClient,
  partitions: readonly QueueKeysOf[],
  page: { offset: number; limit: number },
): Promise<{ tenants: TenantReport[]; total: number }> {
  const depth = page.offset + page.limit;
  const per = await Promise.all(
    partitions.map(async (queue) => {
      const keys = fairKeys(queue);
      const [top, running, paused, recent, total] = await Promise.all([
        redis.zrevrange(keys.backlog, 0, depth - 1, 'WITHSCORES'),
        redis.smembers(keys.running),
        redis.smembers(keys.paused),
        redis.zrevrangebyscore(keys.recent, '+inf', Date.now() - RECENT_MS, 'LIMIT', 0, depth),
        redis.zcard(keys.backlog),
      ]);
      return { top: pairs(top), running, paused, recent, total };
    }),
  );
  const candidates = new Set<string>();
  for (const { top, running, paused, recent } of per) {
    for (const [tenant] of top) candidates.add(tenant);
    for (const tenant of [...running, ...paused, ...recent]) candidates.add(tenant);
  }
  const reports = await Promise.all([...candidates].map((tenant) => readOne(redis, partitions, tenant)));
  reports.sort((a, b) => b.backlog - a.backlog || b.running - a.running || a.tenant.localeCompare(b.tenant));
  const total = Math.max(candidates.size, ...per.map((p) => p.total));
  return { tenants: reports.slice(page.offset, depth), total };
}

/** One tenant's report, read from every partition. */
export async function readOne(redis: RedisClient, partitions: readonly QueueKeysOf[], tenant: string): Promise<TenantReport> {
  const parts = await Promise.all(
    partitions.map(async (queue) => {
      const keys = fairKeys(queue);
      const [backlog, running, paused, weight, waits] = await Promise.all([
        redis.zscore(keys.backlog, tenant),
        redis.scard(keys.runningOf(tenant)),
        redis.sismember(keys.paused, tenant),
        redis.hget(keys.tenantOf(tenant), 'w'),
        redis.lrange(keys.waitsOf(tenant), 0, -1),
      ]);
      return { backlog: Number(backlog ?? 0), running, paused: paused === 1, weight: weight === null ? undefined : Number(weight), waits: waits.map(Number) };
    }),
  );
  const waits = parts.flatMap((part) => part.waits).sort((a, b) => a - b);
  return {
    tenant,
    backlog: parts.reduce((sum, part) => sum + part.backlog, 0),
    running: parts.reduce((sum, part) => sum + part.running, 0),
    paused: parts.some((part) => part.paused),
    weight: parts.find((part) => part.weight !== undefined)?.weight ?? 1,
    waitToStart: waits.length === 0 ? null : { p50Ms: percentile(waits, 0.5), p95Ms: percentile(waits, 0.95), samples: waits.length },
  };
}

/** The `q` quantile of sorted numbers (nearest rank). */
function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function pairs(flat: readonly string[]): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, Number(flat[i + 1])]);
  return out;
}
