import { bulkAnswer } from '../enqueue/enqueue-answer';
import type { EnqueuePipeline } from '../enqueue/enqueue-pipeline';
import { callerOfRequest, requireJson } from '../http/request-params';
import type { HandlersOf } from './route-handlers';

/**
 * `POST /v1/jobs/:type/bulk` with `{ "jobs": [{ "payload": ... }, ...] }`: an
 * adapter over the enqueue pipeline. Every item is validated before anything
 * is enqueued: one bad item is a 422 naming each bad index, and nothing is added.
 * Then each item has its own outcome: 202 when all are stored, 207 when some or
 * none are (each item says which, with its id or its error).
 */
export function bulkJobsHandlers(deps: { pipeline: EnqueuePipeline }): HandlersOf<'enqueueBulk'> {
  return {
    enqueueBulk: async ({ req, type }) => {
      requireJson(req);
      return bulkAnswer(type, await deps.pipeline.bulk(type, req.body, callerOfRequest(req)));
    },
  };
}
