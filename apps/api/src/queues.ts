import type { RedisClient } from '@floodgate/shared/redis';
import type { Telemetry } from 'bullmq';
import { openQueues, type JobQueues } from '@floodgate/shared/jobs';

export { closeQueues, type JobQueues } from '@floodgate/shared/jobs';

/**
 * The API's queues: one per job type on the shared producer connection. The
 * API owns their settings, so it sets the events stream's length.
 */
export function createQueues(connection: RedisClient, prefix: string, eventsMaxLen = 10_000, telemetry?: Telemetry): JobQueues {
  return openQueues(connection, prefix, { eventsMaxLen, telemetry });
}
