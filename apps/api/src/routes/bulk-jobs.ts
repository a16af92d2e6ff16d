import { Router } from 'express';
import { bulkAnswer } from '../enqueue/enqueue-answer';
import type { EnqueuePipeline } from '../enqueue/enqueue-pipeline';
import { clientOf, jobTypeOf, requireJson } from '../http/request-params';
import { methodNotAllowed } from './method-not-allowed';

/**
 * `POST /v1/jobs/:type/bulk` with `{ "jobs": [{ "payload": ... }, ...] }`: an
 * adapter over the enqueue pipeline. Every item is validated before anything
 * is enqueued: one bad item is a 422 naming each bad index, and nothing is added.
 */
export function bulkJobsRouter(deps: { pipeline: EnqueuePipeline }): Router {
  const router = Router();
  router
    .route('/v1/jobs/:type/bulk')
    .post(async (req, res) => {
      const type = jobTypeOf(req);
      requireJson(req);
      const outcomes = await deps.pipeline.bulk(type, req.body, { client: clientOf(req) });
      res.status(202).json(bulkAnswer(type, outcomes));
    })
    .all(methodNotAllowed(['POST']));
  return router;
}
