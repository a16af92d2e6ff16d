import { jobTypes, type JobType } from '@floodgate/shared/jobs';
import { workerListOf } from '@floodgate/shared/workers';
import { ListableJobState } from '@floodgate/shared/wire';
import type { RedisClient } from '@floodgate/shared/redis';
import type { JobQueues } from '../redis/queues';
import { redisTimeout } from '../errors';
import { REDIS_DEADLINE_MS, withRedis } from '../redis/redis-deadline';
import type { HandlersOf } from './route-handlers';

const STATES = ListableJobState.options;

/**
 * `GET /v1/queues`: per job type, its counts by state, whether it is paused,
 * and the live worker processes running it. `POST /v1/queues/:type/pause` and
 * `/resume` stop and restart every worker's intake of that type (jobs already
 * running finish; new ones wait, and can still be enqueued).
 */
export function queuesHandlers(deps: { queues: JobQueues; redis: RedisClient; prefix: string }): HandlersOf<'listQueues' | 'pauseQueue' | 'resumeQueue'> {
  // Shared with /v1/workers: one SCAN of every primary serves both for a second.
  const workers = workerListOf(deps.redis, deps.prefix);
  const setPaused = async (type: JobType, paused: boolean) => {
    const queue = deps.queues[type];
    await withRedis(deps.redis, () => (paused ? queue.pause() : queue.resume()));
    return { status: 200 as const, body: { type, paused } };
  };
  return {
    listQueues: async () => {
      const body = await withRedis(deps.redis, async () => {
        const beats = await workers.list({ ms: REDIS_DEADLINE_MS, error: redisTimeout });
        const queues = await Promise.all(
          jobTypes.map(async (type) => ({
            type,
            paused: await deps.queues[type].isPaused(),
            counts: await deps.queues[type].getJobCounts(...STATES),
            workers: beats.filter((beat) => beat.queues.some((q) => q.type === type)).map((beat) => beat.id),
          })),
        );
        return { queues };
      });
      return { status: 200, body };
    },
    pauseQueue: ({ type }) => setPaused(type, true),
    resumeQueue: ({ type }) => setPaused(type, false),
  };
}
