import { lookup } from 'node:dns/promises';
import { Cluster } from 'ioredis';
import type { RedisClient } from './create-redis';
import { withinDeadline } from './within-deadline';

/**
 * Resolves once `redis` answers PING, or rejects after `timeoutMs` with the
 * last connection error in the message (a wrong password, a refused port, a
 * node without cluster support, a seed host that does not resolve). Processes call it at start: under pm2 the
 * embedded Redis starts alongside them, so the first seconds may find it not
 * yet listening.
 */
export async function waitForRedis(redis: RedisClient, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  const onError = (err: unknown) => {
    lastError = err;
  };
  redis.on('error', onError);
  try {
    while (Date.now() < deadline) {
      try {
        if (redis.status === 'ready') {
          // Bounded: on a worker connection a PING sent as the link drops would wait forever.
          const remaining = Math.max(1, deadline - Date.now());
          await withinDeadline(redis.ping(), remaining, () => new Error('PING timed out'));
          return;
        }
      } catch (err) {
        lastError = err;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    redis.off('error', onError);
  }
  // A cluster client whose seed names no host retries silently (no error event): say which name does not resolve.
  lastError ??= redis instanceof Cluster ? await unresolvedSeed(redis) : undefined;
  const reason = lastError instanceof Error ? ` (last error: ${describe(lastError)})` : '';
  throw new Error(`Redis did not answer within ${timeoutMs} ms${reason}`, { cause: lastError });
}

/** The first seed host of `cluster` that DNS cannot resolve (within 2 s), as an error naming it; undefined when all resolve. */
async function unresolvedSeed(cluster: Cluster): Promise<Error | undefined> {
  const seeds = (cluster as unknown as { startupNodes?: unknown[] }).startupNodes ?? [];
  for (const seed of seeds) {
    const host = typeof seed === 'object' && seed !== null ? (seed as { host?: unknown }).host : undefined;
    if (typeof host !== 'string') continue;
    try {
      await withinDeadline(lookup(host), 2_000, () => new Error(`DNS lookup of ${host} took over 2000 ms`));
    } catch (err) {
      return new Error(`seed host ${host} does not resolve: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  return undefined;
}

/** A cluster client's "Failed to refresh slots cache" hides the node's own answer in `lastNodeError`. */
function describe(err: Error): string {
  const nodeError = (err as Error & { lastNodeError?: unknown }).lastNodeError;
  return nodeError instanceof Error ? `${err.message} ${nodeError.message}` : err.message;
}
