import { catalog, jobOptionsFor, jobTypes } from '@floodgate/shared/jobs';
import { Router } from 'express';
import type { RedisClient } from '@floodgate/shared/redis';
import type { Admission } from '../admission/admission';
import { HttpError, invalidPayload } from '../errors';
import { bullOptions, initialState } from '../job-options';
import type { PayloadPolicy } from '../payload-policy';
import type { JobQueues } from '../queues';
import { withRedis } from '../redis-deadline';
import { bulkBodyOf, clientOf, jobLink, jobTypeOf, requireJson } from './job-request';
import { methodNotAllowed } from './method-not-allowed';

export interface BulkJobsRouterDeps {
  queues: JobQueues;
  redis: RedisClient;
  admission: Admission;
  /** Most jobs one bulk request may carry. */
  maxJobs: number;
  /** This deployment's rules for payloads (SSRF protection), beyond the catalog's schemas. */
  payloadPolicy: PayloadPolicy;
}

/**
 * `POST /v1/jobs/:type/bulk` with `{ "jobs": [{ "payload": ... }, ...] }`.
 * Every item is validated before anything is enqueued: one bad item is a 422
 * naming each bad item's index, and nothing is added. Otherwise all of them go
 * to Redis in one pipelined `addBulk`, and the ids come back in order.
 */
export function bulkJobsRouter(deps: BulkJobsRouterDeps): Router {
  // Built once per type: the schemas are fixed by the catalog and the limit.
  const bodies = new Map(jobTypes.map((type) => [type, bulkBodyOf(type, deps.maxJobs)]));

  const router = Router();
  router
    .route('/v1/jobs/:type/bulk')
    .post(async (req, res) => {
      const type = jobTypeOf(req);
      requireJson(req);
      const count = Array.isArray((req.body as { jobs?: unknown })?.jobs) ? (req.body as { jobs: unknown[] }).jobs.length : 0;
      if (count > deps.maxJobs) {
        throw new HttpError(422, 'too_many_jobs', `A bulk request carries at most ${deps.maxJobs} jobs; this one has ${count}.`, {
          details: { max: deps.maxJobs, count },
        });
      }
      const parsed = (bodies.get(type) as ReturnType<typeof bulkBodyOf>).safeParse(req.body);
      if (!parsed.success) throw invalidPayload(parsed.error.issues);
      const jobs = parsed.data.jobs;
      const refused = jobs.flatMap((job, i) => deps.payloadPolicy(type, job.payload, ['jobs', i, 'payload']));
      if (refused.length > 0) throw invalidPayload(refused);
      await withRedis(deps.redis, () => deps.admission.admit(type, clientOf(req), jobs.length));
      const options = jobOptionsFor(catalog[type]);
      const added = await withRedis(deps.redis, () =>
        deps.queues[type].addBulk(jobs.map((job) => ({ name: type, data: job.payload, opts: bullOptions(options, job.options) }))),
      );
      res.status(202).json({
        type,
        count: added.length,
        jobs: added.map((job, i) => ({ id: job.id, state: initialState(jobs[i]?.options), links: { self: jobLink(type, String(job.id)) } })),
      });
    })
    .all(methodNotAllowed(['POST']));
  return router;
}
