import { Router } from 'express';
import { bulkAnswer } from '../enqueue/enqueue-answer';
import type { EnqueuePipeline } from '../enqueue/enqueue-pipeline';
import { callerOfRequest, jobTypeOf, requireJson } from '../http/request-params';
import { methodNotAllowed } from './method-not-allowed';

/**
 * `POST /v1/jobs/:type/bulk` with `{ "jobs": [{ "payload": ... }, ...] }`: an
 * adapter over the enqueue pipeline. Every item is validated before anything
 * is enqueued: one bad item is a 422 naming each bad index, and nothing is added.
 * Then each item has its own outcome: 202 when all are stored, 207 when some or
 * none are (each item says which, with its id or its error).
 */
export function bulkJobsRouter(deps: { pipeline: EnqueuePipeline }): Router {
  const router = Router();
  router
    .route('/v1/jobs/:type/bulk')
    .post(async (req, res) => {
      const type = jobTypeOf(req);
      requireJson(req);
      const answer = bulkAnswer(type, await deps.pipeline.bulk(type, req.body, callerOfRequest(req)));
      res.status(answer.status).json(answer.body);
    })
    .all(methodNotAllowed(['POST']));
  return router;
}
