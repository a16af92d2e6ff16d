import { catalog, isJobType, jobOptionsFor, jobTypes, type JobType } from '@floodgate/shared/jobs';
import { defaultRepeatStrategy, type JobSchedulerJson, type RepeatOptions } from 'bullmq';
import { ScheduleBody, type Schedule } from '@floodgate/shared/wire';
import type { Request } from 'express';
import type { RedisClient } from '@floodgate/shared/redis';
import { HttpError, invalidPayload, isRedisOutOfMemory, redisMemoryHigh, unknownJobType } from '../errors';
import type { EnqueuePipeline } from '../enqueue/enqueue-pipeline';
import type { JobQueues } from '../redis/queues';
import { withRedis } from '../redis/redis-deadline';
import { callerOfRequest, requireJson } from '../http/request-params';
import type { HandlersOf } from './route-handlers';

const SCHEDULE_ID = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * Schedules on BullMQ job schedulers: `PUT`, `GET` and `DELETE
 * /v1/schedules/:id`, and `GET /v1/schedules`. A PUT comes in the way a POST of
 * its type does (the enqueue pipeline's validation and admission, with the same
 * answers); each run is an ordinary job of its type. An id names one schedule
 * across all types: putting it with another type moves it.
 */
export function schedulesHandlers(deps: {
  queues: JobQueues;
  redis: RedisClient;
  pipeline: EnqueuePipeline;
}): HandlersOf<'listSchedules' | 'putSchedule' | 'getSchedule' | 'deleteSchedule'> {
  const find = async (id: string) => {
    for (const type of jobTypes) {
      const scheduler = await deps.queues[type].first.getJobScheduler(id);
      if (scheduler) return { type, scheduler };
    }
    return undefined;
  };
  return {
    listSchedules: async () => {
      const schedules = await withRedis(deps.redis, async () =>
        (await Promise.all(jobTypes.map(async (type) => (await deps.queues[type].first.getJobSchedulers(0, -1)).map((s) => view(type, s))))).flat(),
      );
      return { status: 200, body: { schedules } };
    },
    putSchedule: async ({ req }) => {
      const id = scheduleIdOf(req);
      requireJson(req);
      const body = ScheduleBody.safeParse(req.body);
      if (!body.success) throw invalidPayload(body.error.issues);
      const { type, payload, everyMs, cron, tz } = body.data;
      if (!isJobType(type)) throw unknownJobType(type);
      const repeat = everyMs === undefined ? { pattern: cron, ...(tz ? { tz } : {}) } : { every: everyMs };
      checkRepeat(repeat);
      // Checked and admitted as a POST of the type; one PUT spends one rate token (the backlog cap bounds its jobs),
      // given back when the save stores nothing (see `enter`).
      const scheduled = await deps.pipeline.enter(type, { payload }, callerOfRequest(req), ({ payload: data }) =>
        withRedis(deps.redis, async () => {
          try {
            // The new one first, then the old ones: a failure in between leaves the schedule
            // under two types until the PUT is repeated, never under none.
            await deps.queues[type].first.upsertJobScheduler(id, repeat, { name: type, data, opts: jobOptionsFor(catalog[type]) });
            for (const other of jobTypes) if (other !== type) await deps.queues[other].first.removeJobScheduler(id);
            return await deps.queues[type].first.getJobScheduler(id);
          } catch (err) {
            throw scheduleNotSaved(err);
          }
        }),
      );
      if (!scheduled) throw scheduleNotSaved(new Error(`schedule "${id}" was not found right after saving it`));
      return { status: 200, body: view(type, scheduled) };
    },
    getSchedule: async ({ req }) => {
      const id = scheduleIdOf(req);
      const found = await withRedis(deps.redis, () => find(id));
      if (!found) throw scheduleNotFound(id);
      return { status: 200, body: view(found.type, found.scheduler) };
    },
    deleteSchedule: async ({ req }) => {
      const id = scheduleIdOf(req);
      const removed = await withRedis(deps.redis, async () =>
        (await Promise.all(jobTypes.map((type) => deps.queues[type].first.removeJobScheduler(id)))).some(Boolean),
      );
      if (!removed) throw scheduleNotFound(id);
      return { status: 200, body: { id, removed: true } };
    },
  };
}

/**
 * 422 `invalid_schedule` for a pattern or time zone BullMQ cannot use, found
 * before Redis is touched: once the pattern is known good, whatever the upsert
 * throws is the store's failure, not the caller's.
 */
function checkRepeat(repeat: RepeatOptions): void {
  if (repeat.pattern === undefined) return;
  try {
    defaultRepeatStrategy(Date.now(), repeat);
  } catch (err) {
    throw new HttpError('invalid_schedule', `The schedule is invalid: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A Redis failure while saving a schedule: a 503 to retry (PUT is an upsert, so repeating it is safe). */
function scheduleNotSaved(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (isRedisOutOfMemory(err)) return redisMemoryHigh();
  return new HttpError('redis_unavailable', 'The job store (Redis) failed while saving the schedule; it may be saved in part. Repeat the PUT shortly.', {
    cause: err,
    headers: { 'Retry-After': '2' },
  });
}

function view(type: JobType, scheduler: JobSchedulerJson): Schedule {
  return {
    id: scheduler.key,
    type,
    everyMs: scheduler.every ?? null,
    cron: scheduler.pattern ?? null,
    tz: scheduler.tz ?? null,
    next: scheduler.next ? new Date(scheduler.next).toISOString() : null,
    iterations: scheduler.iterationCount ?? 0,
    payload: scheduler.template?.data ?? null,
  };
}

function scheduleIdOf(req: Request): string {
  const id = String(req.params.id);
  if (!SCHEDULE_ID.test(id)) throw new HttpError('invalid_schedule_id', 'Schedule ids are 1-128 characters of letters, digits, "_", "-" and ".".');
  return id;
}

function scheduleNotFound(id: string): HttpError {
  return new HttpError('schedule_not_found', `No schedule "${id}".`);
}
