import type { Queue } from 'bullmq';
import { queueKeyBase } from '../redis/keys';
import { luaScript, readLuaFiles } from '../redis/lua-script';
import type { RedisClient } from '../redis/create-redis';

/** Read once per process; defined once per connection (EVALSHA). */
const READ_PAYLOADS = readLuaFiles(__dirname, 'read-payloads.lua');

/** One job of a page, as a search sees it. */
export interface PayloadOfJob {
  id: string;
  /** The parsed payload; undefined when the job was removed since its id was listed. */
  data: unknown;
  /** Whether the job still exists. */
  exists: boolean;
  /** Bytes a full read of the job (payload, result, error, stack trace) would cost. */
  fullBytes: number;
}

export interface PayloadPage {
  /** The jobs read, from the first id on: fewer than asked when the budget stopped the page. */
  jobs: PayloadOfJob[];
  /** Payload bytes read. */
  bytes: number;
}

/**
 * The payloads of `ids` (one queue's jobs), in one round trip, stopping before
 * the job that would take the read past `budget` bytes; with `first`, the
 * first job is read whatever its size, so a call always moves on.
 */
export async function readPayloads(queue: Queue, ids: readonly string[], budget: number, first: boolean): Promise<PayloadPage> {
  if (ids.length === 0) return { jobs: [], bytes: 0 };
  // The queue's own connection: the one its other reads use.
  const redis = (await queue.getBackend().client) as unknown as RedisClient; // bullmq types it as its own minimal client
  const read = luaScript<Array<number | string | null>>(redis, 'floodgateSearchPayloads', READ_PAYLOADS, 1);
  const [visited = 0, bytes = 0, ...pairs] = await read(queueKeyBase(queue), Math.max(0, Math.floor(budget)), first ? '1' : '0', ...ids);
  const jobs: PayloadOfJob[] = [];
  for (let i = 0; i < Number(visited); i++) {
    const raw = pairs[i * 2];
    const exists = typeof raw === 'string';
    jobs.push({ id: ids[i]!, data: exists ? parseJson(raw) : undefined, exists, fullBytes: Number(pairs[i * 2 + 1] ?? 0) });
  }
  return { jobs, bytes: Number(bytes) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not floodgate's to fix here: a payload that does not parse matches no term.
    return undefined;
  }
}
