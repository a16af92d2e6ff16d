import type { Redis } from 'ioredis';
import { z } from 'zod';

/** What a worker process says about itself, every few seconds, in Redis. */
export const WorkerHeartbeat = z.object({
  /** `host:pid`, the same as a job's `processedBy`. */
  id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  /** Job types it runs, with their concurrency and the attempts active now. */
  queues: z.array(z.object({ type: z.string(), concurrency: z.number().int(), active: z.number().int() })),
  /** Threads of its CPU pool. */
  cpuThreads: z.number().int(),
  /** Event-loop delay p99 over the last beat, in milliseconds. */
  eventLoopDelayP99Ms: z.number(),
  rssBytes: z.number(),
  uptimeSeconds: z.number(),
  startedAt: z.string(),
  /** When this beat was written. */
  beatAt: z.string(),
});
export type WorkerHeartbeat = z.infer<typeof WorkerHeartbeat>;

/** The key of one process's heartbeat; it expires by itself when the process stops beating. */
export function heartbeatKey(prefix: string, id: string): string {
  return `${prefix}:workers:${id}`;
}

/** Writes one beat that lives for `ttlMs` unless renewed. */
export async function writeHeartbeat(redis: Redis, prefix: string, beat: WorkerHeartbeat, ttlMs: number): Promise<void> {
  await redis.set(heartbeatKey(prefix, beat.id), JSON.stringify(beat), 'PX', ttlMs);
}

/**
 * Every live worker process, from the heartbeats that have not expired.
 * SCAN rather than KEYS, so a long list never blocks Redis.
 */
export async function listHeartbeats(redis: Redis, prefix: string): Promise<WorkerHeartbeat[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${heartbeatKey(prefix, '*')}`, 'COUNT', 200);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  if (keys.length === 0) return [];
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
