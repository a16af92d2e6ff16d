import { fairPartition, tenantOfJob } from '@floodgate/shared/fairness';
import type { JobType } from '@floodgate/shared/jobs';
import { isFinalState, ListQuery, type JobState, type JobView } from '@floodgate/shared/wire';
import type { Job } from 'bullmq';
import type { Response } from 'express';
import { cancelChannel, publishCounted, type RedisClient } from '@floodgate/shared/redis';
import { HttpError, invalidQuery, jobNotFound } from '../errors';
import { enqueueAnswer } from '../enqueue/enqueue-answer';
import type { EnqueuePipeline } from '../enqueue/enqueue-pipeline';
import type { FinalEvent, JobWaiter } from '../waiting/job-waiter';
import { jobLink } from '../http/job-link';
import { finishedView, readJob, toJobView } from '../http/job-view';
import { callerOfRequest, jobIdOf, requireJson } from '../http/request-params';
import type { JobQueues } from '../redis/queues';
import { withRedis } from '../redis/redis-deadline';
import { createJobSearch, type SearchBounds } from '../search/search-router';
import type { HandlersOf } from './route-handlers';

export interface JobsRouterDeps {
  queues: JobQueues;
  redis: RedisClient;
  /** Wakes `?wait=` requests when their job finishes. */
  waiter: JobWaiter;
  /** Key prefix, for the cancel channel. */
  prefix: string;
  /** The one way jobs are added. */
  pipeline: EnqueuePipeline;
  searchBounds?: SearchBounds;
}

/** Enqueue, list (or search), read, cancel and retry jobs. */
export function jobsHandlers(deps: JobsRouterDeps): HandlersOf<'enqueueJob' | 'listJobs' | 'getJob' | 'cancelJob' | 'retryJob'> {
  const search = createJobSearch(deps);
  return {
    listJobs: async ({ req, res, type }) => {
      if (req.query.q !== undefined) return search(req, res, type);
      const query = ListQuery.safeParse(req.query);
      if (!query.success) throw invalidQuery(query.error.issues);
      const { state, limit, cursor } = query.data;
      // Newest first; the cursor holds an offset into the state's list per partition.
      const page = await withRedis(deps.redis, () => deps.queues[type].listJobs([state], cursor, limit));
      return { status: 200, body: { jobs: page.jobs.map((job) => toJobView(type, job, state)), nextCursor: page.nextCursor } };
    },
    enqueueJob: async ({ req, res, type, query: { wait } }) => {
      requireJson(req);
      const outcome = await deps.pipeline.one(type, req.body, { caller: callerOfRequest(req), idempotencyHeader: req.headers['idempotency-key'] });
      const answer = enqueueAnswer(outcome);
      if (wait === 0 || !outcome.job) return answer;
      // Enqueue and wait in one call (a repeated key waits for the job it found, like the first call did):
      // the job's view, 200 once it finished, 202 if it has not yet.
      let view: JobView;
      try {
        view = await viewAfterWait(deps, res, type, { job: outcome.job, state: outcome.created ? 'unknown' : outcome.state }, wait);
      } catch {
        // The job exists: a Redis failure while waiting ends the wait early, it does not undo the enqueue.
        // The answer is the job as the enqueue left it, 202, and the client reads it later by its id.
        view = toJobView(type, outcome.job, outcome.state);
      }
      return { status: isFinalState(view.state) ? 200 : 202, location: answer.location, body: view };
    },
    retryJob: async ({ req, type }) => {
      const id = jobIdOf(req);
      const queue = deps.queues[type];
      const state = await withRedis(deps.redis, async () => {
        const job = await queue.getJob(id);
        if (!job) throw jobNotFound(type, id);
        const notFailed = (state: string) =>
          new HttpError('job_not_failed', `Only failed jobs can be retried; ${type} job "${id}" is ${state}.`);
        const before = await queue.getJobState(id);
        if (before !== 'failed') throw notFailed(before);
        try {
          await job.retry('failed');
        } catch (err) {
          // Retried by someone else (another request, Bull Board) since we looked.
          const now = await queue.getJobState(id);
          if (now !== 'failed') throw notFailed(now);
          throw err;
        }
        // waiting, prioritized, or already active: whatever it is now.
        return (await queue.getJobState(id)) as JobState;
      });
      return { status: 202, body: { id, type, state, links: { self: jobLink(type, id) } } };
    },
    getJob: async ({ req, res, type, query: { wait } }) => {
      const id = jobIdOf(req);
      const queue = deps.queues[type];
      const found = await withRedis(deps.redis, () => readJob(queue, id));
      if (!found) throw jobNotFound(type, id);
      return { status: 200, body: await viewAfterWait(deps, res, type, found, wait) };
    },
    cancelJob: async ({ req, type }) => {
      const id = jobIdOf(req);
      const queue = deps.queues[type];
      const outcome = await withRedis(deps.redis, async () => {
        const job = await queue.getJob(id);
        if (!job) throw jobNotFound(type, id);
        const state = await queue.getJobState(id);
        if (state === 'completed' || state === 'failed') {
          throw new HttpError('job_finished', `The ${type} job "${id}" already ${state}; there is nothing to cancel.`);
        }
        if (state !== 'active') {
          try {
            await job.remove();
            // A job waiting for its tenant's turn leaves its lane now, so the tenant's backlog is right at once.
            const partition = queue.partitions.find((candidate) => candidate.qualifiedName === job.queueQualifiedName);
            if (partition) await fairPartition(deps.redis, partition).forget(id, tenantOfJob(job.opts));
            return 'removed' as const;
          } catch (err) {
            // A schedule's next run: only the schedule can drop it.
            if (err instanceof Error && /belongs to a job scheduler/.test(err.message)) throw jobScheduled(type, id, job.repeatJobKey);
            // Picked up in between (an active job is locked): cancel it where it runs. Anything else is said as it is.
            const now = await queue.getJobState(id);
            if (now === 'completed' || now === 'failed') throw new HttpError('job_finished', `The ${type} job "${id}" already ${now}; there is nothing to cancel.`);
            if (now !== 'active') throw err;
          }
        }
        // How many subscribers got the message (over every node of a cluster): every worker
        // process listens, so 0 means nobody will abort the job, and a 202 would say otherwise.
        const receivers = await publishCounted(deps.redis, cancelChannel(deps.prefix), JSON.stringify({ type, id }));
        if (receivers === 0) throw cancelUnheard(type, id);
        return receivers;
      });
      // Removed: gone. Cancelling: its worker aborts it, and it ends failed with `cancelled`.
      if (outcome === 'removed') return { status: 200, body: { id, type, state: outcome, links: { self: jobLink(type, id) } } };
      return { status: 202, body: { id, type, state: 'cancelling', receivers: outcome, links: { self: jobLink(type, id) } } };
    },
  };
}

/**
 * The view of a job after waiting up to `seconds` for it to finish (at once
 * when it already has): read again, or, when retention removed it before it
 * could be read (thousands finishing a second), as its final event told it.
 */
async function viewAfterWait(deps: JobsRouterDeps, res: Response, type: JobType, found: { job: Job; state: JobState }, seconds: number): Promise<JobView> {
  if (seconds === 0 || isFinalState(found.state)) return toJobView(type, found.job, found.state);
  const id = String(found.job.id);
  const final = await waitFor(deps, res, type, id, seconds);
  const latest = await withRedis(deps.redis, () => readJob(deps.queues[type], id));
  if (latest) return toJobView(type, latest.job, latest.state);
  return final ? finishedView(type, found.job, final) : toJobView(type, found.job, found.state);
}

/** Holds the request until the job finishes, `seconds` pass, or the client hangs up. */
async function waitFor(deps: JobsRouterDeps, res: Response, type: JobType, id: string, seconds: number): Promise<FinalEvent | undefined> {
  const hungUp = new AbortController();
  res.once('close', () => hungUp.abort());
  return deps.waiter.wait(
    type,
    id,
    seconds * 1_000,
    async () => isFinalState((await deps.queues[type].getJobState(id)) as JobState),
    hungUp.signal,
  );
}

/** 409 `job_scheduled`: the job is a schedule's next run, which only removing or changing the schedule drops. */
function jobScheduled(type: JobType, id: string, schedule: string | undefined): HttpError {
  return new HttpError('job_scheduled', `The ${type} job "${id}" is the next run of schedule "${schedule ?? '?'}"; remove or change the schedule (DELETE /v1/schedules/${schedule ?? ':id'}) instead.`, {
    details: { id, type, schedule: schedule ?? null },
  });
}

/** 503 `cancel_unheard`: the job runs, but no worker process was listening for cancels; it goes on. */
function cancelUnheard(type: JobType, id: string): HttpError {
  return new HttpError('cancel_unheard', `No worker received the cancel for the ${type} job "${id}": it is still running. Retry the DELETE shortly.`, {
    details: { id, type, receivers: 0 },
    headers: { 'Retry-After': '2' },
  });
}
