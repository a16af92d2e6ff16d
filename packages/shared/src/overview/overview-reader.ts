import type { RedisClient } from '../redis/create-redis';
import { bucketKey, seenWorkersKey, sourcesKey } from '../redis/keys';
import { bucketStart, WINDOWS, type WindowName } from './overview-keys';

/** Every field of every bucket in a window, oldest first; a bucket nobody wrote is an empty record. */
export interface WindowSeries {
  window: WindowName;
  bucketMs: number;
  /** Start of each bucket, ms since the epoch. */
  times: number[];
  buckets: Array<Record<string, number>>;
  /** The processes that wrote figures during the window, with their last write (ms). */
  sources: Array<{ source: string; lastWriteMs: number }>;
}

/**
 * Reads one window of history: one HGETALL per bucket (90 for 15 min, 60 for
 * 1 h, 288 for 24 h), in one pipeline on the overview's slot.
 */
export async function readWindow(redis: RedisClient, prefix: string, window: WindowName, nowMs = Date.now()): Promise<WindowSeries> {
  const { spanMs, resolution } = WINDOWS[window];
  const last = bucketStart(resolution, nowMs);
  const times: number[] = [];
  for (let t = last - spanMs + resolution.bucketMs; t <= last; t += resolution.bucketMs) times.push(t);
  const pipeline = redis.pipeline();
  for (const t of times) pipeline.hgetall(bucketKey(prefix, resolution, t));
  pipeline.zrangebyscore(sourcesKey(prefix), nowMs - spanMs, '+inf', 'WITHSCORES');
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([err]) => err);
  if (failed) throw failed[0];
  const buckets = times.map((_, i) => {
    const raw = (results[i]?.[1] ?? {}) as Record<string, string>;
    return Object.fromEntries(Object.entries(raw).map(([field, value]) => [field, Number(value)]));
  });
  const flat = (results[times.length]?.[1] ?? []) as string[];
  const sources: WindowSeries['sources'] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) sources.push({ source: flat[i] ?? '', lastWriteMs: Number(flat[i + 1]) });
  return { window, bucketMs: resolution.bucketMs, times, buckets, sources };
}

/** How long a worker that stopped beating stays listed as gone. @defaultValue 1 hour */
export const GONE_WORKERS_KEPT_MS = 3_600_000;

/**
 * Remembers the beats seen now and returns every beat seen within
 * {@link GONE_WORKERS_KEPT_MS} (id → beat JSON), pruning older ones: the
 * memory that lets a worker which stopped beating be shown as gone.
 */
export async function rememberWorkers(
  redis: RedisClient,
  prefix: string,
  live: ReadonlyArray<{ id: string; beatAt: string }>,
  nowMs = Date.now(),
): Promise<Map<string, string>> {
  const key = seenWorkersKey(prefix);
  if (live.length > 0) {
    await redis.hset(key, Object.fromEntries(live.map((beat) => [beat.id, JSON.stringify(beat)])));
  }
  await redis.pexpire(key, GONE_WORKERS_KEPT_MS);
  const seen = await redis.hgetall(key);
  const stale: string[] = [];
  const kept = new Map<string, string>();
  for (const [id, json] of Object.entries(seen)) {
    const beatAt = Date.parse((safeJson(json) as { beatAt?: string } | undefined)?.beatAt ?? '');
    if (!Number.isFinite(beatAt) || nowMs - beatAt > GONE_WORKERS_KEPT_MS) stale.push(id);
    else kept.set(id, json);
  }
  if (stale.length > 0) await redis.hdel(key, ...stale);
  return kept;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
