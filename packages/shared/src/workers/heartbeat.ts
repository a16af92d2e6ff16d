import type { RedisClient } from '../redis/create-redis';
import { heartbeatKey } from '../redis/keys';
import { scanEveryPrimary } from '../redis/primaries';
import { z } from 'zod';

/** What a worker process says about itself, every few seconds, in Redis. */
export const WorkerHeartbeat = z.object({
  id: z.string().describe("`host:pid`, the same as a job's `processedBy`."),
  host: z.string(),
  pid: z.number().int(),
  queues: z.array(z.object({ type: z.string(), concurrency: z.number().int(), active: z.number().int() })).describe('Job types it runs, with their concurrency and the attempts active now.'),
  cpuThreads: z.number().int().describe('Threads of its CPU pool.'),
  eventLoopDelayP99Ms: z.number().describe('Event-loop delay p99 over the last beat, in milliseconds.'),
  rssBytes: z.number(),
  uptimeSeconds: z.number(),
  startedAt: z.string(),
  beatAt: z.string().describe('When this beat was written.'),
});
export type WorkerHeartbeat = z.infer<typeof WorkerHeartbeat>;

/**
 * Writes one beat that lives for `ttlMs` unless renewed, at `heartbeatKey`
 * (redis/keys.ts): it expires by itself when the process stops beating.
 */
export async function writeHeartbeat(redis: RedisClient, prefix: string, beat: WorkerHeartbeat, ttlMs: number): Promise<void> {
  await redis.set(heartbeatKey(prefix, beat.id), JSON.stringify(beat), 'PX', ttlMs);
}

/**
 * Every live worker process, from unexpired heartbeats: SCAN on every primary (never KEYS), then one MGET on the shared
 * tag's slot. Each call walks every primary's keyspace, so pollers share listings through worker-list.ts. `signal` stops
 * the walk between two commands.
 */
export async function listHeartbeats(redis: RedisClient, prefix: string, signal?: AbortSignal): Promise<WorkerHeartbeat[]> {
  const keys = await scanEveryPrimary(redis, heartbeatKey(prefix, '*').replace(/[[\]?]/g, '\\$&'), undefined, signal);
  if (keys.length === 0) return [];
  signal?.throwIfAborted();
  const values = await redis.mget(...keys);
  const beats: WorkerHeartbeat[] = [];
  for (const value of values) {
    if (value === null) continue; // expired between SCAN and MGET
    const parsed = WorkerHeartbeat.safeParse(safeJson(value));
    if (parsed.success) beats.push(parsed.data);
  }
  return beats.sort((a, b) => a.id.localeCompare(b.id));
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
