import type { RedisClient } from '@floodgate/shared/redis';
import { HttpError } from '../errors';

/** Longest a 202 waits for Redis to fsync its append-only file (REDIS_ACK_FSYNC). @defaultValue 2000 */
export const AOF_ACK_TIMEOUT_MS = 2_000;

/**
 * Resolves once every write this connection sent before the call is in
 * Redis's local AOF on disk; throws a 503 `redis_timeout` (the jobs exist in
 * Redis, but are not confirmed on disk) when Redis does not confirm in time.
 */
export type AofAck = () => Promise<void>;

/**
 * REDIS_ACK_FSYNC=true: `WAITAOF 1 0` on `redis`, the queues' write connection (WAITAOF covers only its own connection);
 * callers in one turn share one. It blocks the connection until the fsync (up to 1 s with `everysec`), the price of the
 * promise. Needs Redis 7.2+; not on a cluster (refused by the env), where `call` may reach another node.
 */
export function createAofAck(redis: RedisClient, timeoutMs = AOF_ACK_TIMEOUT_MS): AofAck {
  let next: Promise<void> | undefined;
  return () => {
    next ??= Promise.resolve().then(async () => {
      // From here on, new callers start the next WAITAOF: their writes may go out after this one.
      next = undefined;
      const [local] = (await redis.call('WAITAOF', '1', '0', String(timeoutMs))) as [number, number];
      if (local < 1) throw notOnDisk(timeoutMs);
    });
    return next;
  };
}

function notOnDisk(timeoutMs: number): HttpError {
  return new HttpError('redis_timeout', `Redis holds the job but did not confirm it on disk within ${timeoutMs} ms (REDIS_ACK_FSYNC); check for it before retrying.`, {
    headers: { 'Retry-After': '2' },
  });
}
