import type { RedisClient } from '@floodgate/shared/redis';
import { openQueues, type JobQueues, type OpenQueuesOptions } from '@floodgate/shared/queues';

export { closeQueues, type JobQueues } from '@floodgate/shared/queues';

/**
 * The API's queues: every partition of every job type on the shared producer
 * connection. The API owns their settings, so it sets the events stream's
 * length (10,000 unless `options` says otherwise).
 */
export function createQueues(connection: RedisClient, prefix: string, options: OpenQueuesOptions = {}): JobQueues {
  return openQueues(connection, prefix, { eventsMaxLen: 10_000, ...options });
}
