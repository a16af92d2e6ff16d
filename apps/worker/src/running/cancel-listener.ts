import { CANCELLED_BY_REQUEST } from '@floodgate/shared/jobs';
import type { Logger } from '@floodgate/shared/logger';
import type { Worker } from 'bullmq';
import { cancelChannel, type RedisClient } from '@floodgate/shared/redis';
import { closeRedis } from '../shutdown/close-redis';

/**
 * Listens for cancel requests (one subscriber connection per process) and
 * aborts the named job if one of this process's workers is running it; the
 * handler's signal fires and the job fails with `cancelled`. Returns a stop,
 * which waits at most `redisMs` (default 1 s) for Redis to acknowledge the QUIT.
 */
export async function listenForCancels(options: {
  redis: RedisClient;
  prefix: string;
  workers: ReadonlyArray<{ type: string; worker: Worker }>;
  logger: Logger;
}): Promise<(redisMs?: number) => Promise<void>> {
  // A subscribed connection can do nothing else: it gets its own.
  const subscriber = options.redis.duplicate();
  subscriber.on('error', (err) => options.logger.warn({ err }, 'cancel subscriber error'));
  subscriber.on('message', (_channel, message) => {
    let request: { type?: unknown; id?: unknown };
    try {
      request = JSON.parse(message) as { type?: unknown; id?: unknown };
    } catch {
      return;
    }
    for (const { type, worker } of options.workers) {
      if (type === request.type && typeof request.id === 'string' && worker.cancelJob(request.id, CANCELLED_BY_REQUEST)) {
        options.logger.info({ jobId: request.id, type }, 'job cancelled by request');
      }
    }
  });
  await subscriber.subscribe(cancelChannel(options.prefix));
  return (redisMs = 1_000) => closeRedis(subscriber, redisMs);
}
