import type { RedisClient } from './create-redis';
import { withinDeadline } from './within-deadline';

/**
 * Resolves once `redis` answers PING, or rejects after `timeoutMs` with the
 * last connection error in the message (a wrong password, a refused port, a
 * node without cluster support). Processes call it at start: under pm2 the
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
  const reason = lastError instanceof Error ? ` (last error: ${describe(lastError)})` : '';
  throw new Error(`Redis did not answer within ${timeoutMs} ms${reason}`, { cause: lastError });
}

/** A cluster client's "Failed to refresh slots cache" hides the node's own answer in `lastNodeError`. */
function describe(err: Error): string {
  const nodeError = (err as Error & { lastNodeError?: unknown }).lastNodeError;
  return nodeError instanceof Error ? `${err.message} ${nodeError.message}` : err.message;
}
