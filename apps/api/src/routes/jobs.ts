import { cancelChannel, catalog, jobOptionsFor, type JobType } from '@floodgate/shared/jobs';
import type { Job } from 'bullmq';
import { Router, type Response } from 'express';
import type { RedisClient } from '@floodgate/shared/redis';
import { z } from 'zod';
import { HttpError, invalidQuery, jobNotFound } from '../errors';
import type { Admission } from '../admission/admission';
import { dedupeJobId, samePayload } from '../idempotency';
import { bullOptions, initialState } from '../job-options';
import { MAX_WAIT_SECONDS, type FinalEvent, type JobWaiter } from '../job-waiter';
import { finishedView, readJob, toJobView, type JobView } from '../job-view';
import type { EnqueueOne } from '../enqueue-one';
import type { PayloadPolicy } from '../payload-policy';
import type { JobQueues } from '../queues';
import { withRedis } from '../redis-deadline';
import { clientOf, jobIdOf, jobLink, jobTypeOf, parseSingleJob, requireJson } from './job-request';
import { methodNotAllowed } from './method-not-allowed';

/** `?wait=SECONDS`: how long to hold the answer for the job to finish. */
export const WaitQuery = z.strictObject({ wait: z.coerce.number().int().min(0).max(MAX_WAIT_SECONDS).default(0) });

/** `GET /v1/jobs/:type` query: which state, how many, from where. */
export const ListQuery = z.strictObject({
  state: z.enum(['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed', 'waiting-children']).default('failed'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export interface JobsRouterDeps {
  queues: JobQueues;
  redis: RedisClient;
  /** Decides whether the system can take the job, after it is known to be valid. */
  admission: Admission;
  /** Wakes `?wait=` requests when their job finishes. */
  waiter: JobWaiter;
  /** Key prefix, for the cancel channel. */
  prefix: string;
  /** Admits and adds a job without a caller-chosen id (many requests per Redis round trip). */
  enqueueOne: EnqueueOne;
  /** This deployment's rules for payloads (SSRF protection), beyond the catalog's schemas. */
  payloadPolicy: PayloadPolicy;
}

/** Enqueue (`POST /v1/jobs/:type`) and read (`GET /v1/jobs/:type/:id`) jobs. */
export function jobsRouter(deps: JobsRouterDeps): Router {
  const router = Router();

  router
    .route('/v1/jobs/:type')
    .get(async (req, res) => {
      const type = jobTypeOf(req);
      const query = ListQuery.safeParse(req.query);
      if (!query.success) throw invalidQuery(query.error.issues);
      const { state, limit, cursor } = query.data;
      const queue = deps.queues[type];
      // Newest first; the cursor is an offset into the state's list.
      const jobs = await withRedis(deps.redis, () => queue.getJobs([state], cursor, cursor + limit - 1, false));
      res.json({
        jobs: jobs.map((job) => toJobView(type, job, state)),
        nextCursor: jobs.length === limit ? String(cursor + limit) : null,
      });
    })
    .post(async (req, res) => {
      const type = jobTypeOf(req);
      requireJson(req);
      const request = parseSingleJob(type, req.body, deps.payloadPolicy);
      const { wait } = parseWait(req.query);
      const queue = deps.queues[type];
      const payload = request.payload;
      const jobId = dedupeJobId(req, type, request.jobId);
      // A repeated key: the job it made, not a new one (and no admission: nothing new is asked).
      const existing = jobId === undefined ? undefined : await withRedis(deps.redis, () => queue.getJob(jobId));
      if (existing) return answerExisting(deps, res, type, existing, payload, wait);
      let job: Job;
      if (jobId === undefined) {
        const added = await deps.enqueueOne(type, request, clientOf(req));
        if (wait === 0) return void res.status(202).location(added.accepted.links.self).json(added.accepted);
        job = added.job;
      } else {
        const options = { ...bullOptions(jobOptionsFor(catalog[type]), request.options), jobId };
        job = await withRedis(deps.redis, async () => {
          await deps.admission.admit(type, clientOf(req));
          return queue.add(type, payload, options);
        });
        // Two requests with one key can race past the check above; BullMQ keeps the first job.
        if (!samePayload(job.data, payload)) return answerExisting(deps, res, type, job, payload, wait);
      }
      const self = jobLink(type, String(job.id));
      if (wait === 0) return void res.status(202).location(self).json({ id: String(job.id), type, state: initialState(request.options), links: { self } });
      // Enqueue and wait in one call: the job's view, 200 once it finished, 202 if it has not yet.
      const view = await viewAfterWait(deps, res, type, { job, state: 'unknown' }, wait);
      res.status(isFinal(view.state) ? 200 : 202).location(self).json(view);
    })
    .all(methodNotAllowed(['GET', 'POST']));

  router
    .route('/v1/jobs/:type/:id/retry')
    .post(async (req, res) => {
      const type = jobTypeOf(req);
      const id = jobIdOf(req);
      const queue = deps.queues[type];
      const state = await withRedis(deps.redis, async () => {
        const job = await queue.getJob(id);
        if (!job) throw jobNotFound(type, id);
        const notFailed = (state: string) =>
          new HttpError(409, 'job_not_failed', `Only failed jobs can be retried; ${type} job "${id}" is ${state}.`);
        const before = await job.getState();
        if (before !== 'failed') throw notFailed(before);
        try {
          await job.retry('failed');
        } catch (err) {
          // Retried by someone else (another request, Bull Board) since we looked.
          const now = await job.getState();
          if (now !== 'failed') throw notFailed(now);
          throw err;
        }
        // waiting, prioritized, or already active: whatever it is now.
        return job.getState();
      });
      res.status(202).json({ id, type, state, links: { self: jobLink(type, id) } });
    })
    .all(methodNotAllowed(['POST']));

  router
    .route('/v1/jobs/:type/:id')
    .get(async (req, res) => {
      const type = jobTypeOf(req);
      const id = jobIdOf(req);
      const { wait } = parseWait(req.query);
      const queue = deps.queues[type];
      const found = await withRedis(deps.redis, () => readJob(queue, id));
      if (!found) throw jobNotFound(type, id);
      res.json(await viewAfterWait(deps, res, type, found, wait));
    })
    .delete(async (req, res) => {
      const type = jobTypeOf(req);
      const id = jobIdOf(req);
      const queue = deps.queues[type];
      const outcome = await withRedis(deps.redis, async () => {
        const job = await queue.getJob(id);
        if (!job) throw jobNotFound(type, id);
        const state = await job.getState();
        if (state === 'completed' || state === 'failed') {
          throw new HttpError(409, 'job_finished', `The ${type} job "${id}" already ${state}; there is nothing to cancel.`);
        }
        if (state !== 'active') {
          try {
            await job.remove();
            return 'removed' as const;
          } catch {
            // It was picked up in between (an active job is locked): cancel it where it runs.
          }
        }
        await deps.redis.publish(cancelChannel(deps.prefix), JSON.stringify({ type, id }));
        return 'cancelling' as const;
      });
      // Removed: gone. Cancelling: its worker aborts it, and it ends failed with `cancelled`.
      res.status(outcome === 'removed' ? 200 : 202).json({ id, type, state: outcome, links: { self: jobLink(type, id) } });
    })
    .all(methodNotAllowed(['GET', 'DELETE']));

  return router;
}

/**
 * 200 with the job an idempotency key already made (after waiting for it like
 * the first call did, with `?wait=`), or 409 when the key came with another
 * payload. Only the payload is compared: options of a repeat are not applied.
 */
async function answerExisting(deps: JobsRouterDeps, res: Response, type: JobType, job: Job, payload: unknown, wait: number): Promise<void> {
  if (!samePayload(job.data, payload)) {
    throw new HttpError(409, 'idempotency_conflict', 'This Idempotency-Key was already used with a different payload.', {
      details: { id: job.id },
    });
  }
  const state = await withRedis(deps.redis, () => job.getState());
  const view = await viewAfterWait(deps, res, type, { job, state }, wait);
  res.status(isFinal(view.state) || wait === 0 ? 200 : 202).location(jobLink(type, String(job.id))).json(view);
}

function parseWait(query: unknown): { wait: number } {
  const parsed = WaitQuery.safeParse(query);
  if (!parsed.success) throw invalidQuery(parsed.error.issues);
  return parsed.data;
}

function isFinal(state: string): boolean {
  return state === 'completed' || state === 'failed';
}

/**
 * The view of a job after waiting up to `seconds` for it to finish (at once
 * when it already has): read again, or, when retention removed it before it
 * could be read (thousands finishing a second), as its final event told it.
 */
async function viewAfterWait(deps: JobsRouterDeps, res: Response, type: JobType, found: { job: Job; state: string }, seconds: number): Promise<JobView> {
  if (seconds === 0 || isFinal(found.state)) return toJobView(type, found.job, found.state);
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
    async () => isFinal(await deps.queues[type].getJobState(id)),
    hungUp.signal,
  );
}
