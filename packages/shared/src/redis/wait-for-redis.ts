import type { Redis } from 'ioredis';

/**
 * Resolves once `redis` answers PING, or rejects after `timeoutMs`. Processes
 * call it at start: under pm2 the embedded Redis starts alongside them, so the
 * first seconds may find it not yet listening.
 */
export async function waitForRedis(redis: Redis, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (redis.status === 'ready') {
        // Bounded: on a worker connection a PING sent as the link drops would wait forever.
        const remaining = Math.max(1, deadline - Date.now());
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          redis.ping(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('PING timed out')), remaining);
          }),
        ]).finally(() => clearTimeout(timer));
        return;
      }
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Redis did not answer within ${timeoutMs} ms`, { cause: lastError });
}
