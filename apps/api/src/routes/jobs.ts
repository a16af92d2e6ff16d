import { catalog, isJobType, jobOptionsFor, jobTypes, type JobType } from '@floodgate/shared/jobs';
import { Router, type Request } from 'express';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { HttpError, invalidJobId, invalidPayload, jobNotFound, unknownJobType } from '../errors';
import { toJobView } from '../job-view';
import type { JobQueues } from '../queues';
import { withRedis } from '../redis-deadline';
import { methodNotAllowed } from './method-not-allowed';

const JOB_ID = /^[A-Za-z0-9_:-]{1,128}$/;

/** The request body of `POST /v1/jobs/:type`, per type: `{ "payload": ... }` and nothing else. */
const envelopes = new Map<JobType, z.ZodType<{ payload: unknown }>>(
  jobTypes.map((type) => [type, z.strictObject({ payload: catalog[type].payload as z.ZodType })]),
);

export interface JobsRouterDeps {
  queues: JobQueues;
  redis: Redis;
}

/** Enqueue (`POST /v1/jobs/:type`) and read (`GET /v1/jobs/:type/:id`) jobs. */
export function jobsRouter(deps: JobsRouterDeps): Router {
  const router = Router();

  router
    .route('/v1/jobs/:type')
    .post(async (req, res) => {
      const type = jobTypeOf(req);
      if (!req.is('application/json')) {
        throw new HttpError(415, 'unsupported_media_type', 'Send the job as JSON with "Content-Type: application/json".');
      }
      const parsed = envelopes.get(type)?.safeParse(req.body);
      if (!parsed) throw unknownJobType(type);
      if (!parsed.success) throw invalidPayload(parsed.error.issues);
      const job = await withRedis(deps.redis, () =>
        deps.queues[type].add(type, parsed.data.payload, jobOptionsFor(catalog[type])),
      );
      const self = `/v1/jobs/${type}/${encodeURIComponent(String(job.id))}`;
      res.status(202).location(self).json({ id: job.id, type, state: 'waiting', links: { self } });
    })
    .all(methodNotAllowed(['POST']));

  router
    .route('/v1/jobs/:type/:id')
    .get(async (req, res) => {
      const type = jobTypeOf(req);
      const id = String(req.params.id);
      if (!JOB_ID.test(id)) throw invalidJobId();
      const queue = deps.queues[type];
      const found = await withRedis(deps.redis, async () => {
        const job = await queue.getJob(id);
        return job ? { job, state: await job.getState() } : undefined;
      });
      if (!found) throw jobNotFound(type, id);
      res.json(toJobView(type, found.job, found.state));
    })
    .all(methodNotAllowed(['GET']));

  return router;
}

function jobTypeOf(req: Request): JobType {
  const type = String(req.params.type);
  if (!isJobType(type)) throw unknownJobType(type);
  return type;
}
