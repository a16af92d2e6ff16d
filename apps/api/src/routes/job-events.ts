import type { JobType } from '@floodgate/shared/jobs';
import { Router, type Response } from 'express';
import type { RedisClient } from '@floodgate/shared/redis';
import { jobNotFound } from '../errors';
import type { JobEvent, JobWaiter } from '../job-waiter';
import { readJob, toJobView } from '../http/job-view';
import type { JobQueues } from '../queues';
import { withRedis } from '../redis-deadline';
import { jobIdOf, jobTypeOf } from '../http/request-params';
import { methodNotAllowed } from './method-not-allowed';

/** A comment line this often keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

/**
 * `GET /v1/jobs/:type/:id/events`: Server-Sent Events for one job. First a
 * `state` event with the job's view, then `progress` events, and a final
 * `completed` or `failed` event, after which the stream closes (at once if the
 * job had already finished).
 */
export function jobEventsRouter(deps: { queues: JobQueues; redis: RedisClient; waiter: JobWaiter }): Router {
  const router = Router();
  router
    .route('/v1/jobs/:type/:id/events')
    .get(async (req, res) => {
      const type: JobType = jobTypeOf(req);
      const id = jobIdOf(req);
      const queue = deps.queues[type];
      const read = async () => {
        const found = await withRedis(deps.redis, () => readJob(queue, id));
        return found ? toJobView(type, found.job, found.state) : undefined;
      };
      if (!(await read())) throw jobNotFound(type, id);

      res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      let closed = false;
      let unwatch: (() => void) | undefined;
      const finish = () => {
        if (closed) return;
        closed = true;
        clearInterval(keepalive);
        unwatch?.();
        res.end();
      };
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
      res.once('close', finish);
      // Watch first, then read: an event landing in between is not lost.
      // Released by a shutdown: the stream ends, and the client's EventSource reconnects to another process.
      unwatch = await deps.waiter.watch(
        type,
        id,
        (event) => {
          send(res, event.event, payloadOf(event));
          if (event.event !== 'progress') finish();
        },
        finish,
      );
      if (closed) return unwatch();
      // Headers go out only now: a client that sees them knows nothing from here on is missed.
      res.flushHeaders();
      const view = await read();
      if (!view) return finish();
      send(res, 'state', view);
      if (view.state === 'completed') send(res, 'completed', { returnvalue: view.result });
      if (view.state === 'failed') send(res, 'failed', { failedReason: view.error });
      if (view.state === 'completed' || view.state === 'failed') finish();
    })
    .all(methodNotAllowed(['GET']));
  return router;
}

function payloadOf(event: JobEvent): unknown {
  if (event.event === 'progress') return { progress: event.data };
  if (event.event === 'completed') return { returnvalue: event.returnvalue };
  return { failedReason: event.failedReason };
}

function send(res: Response, event: string, data: unknown): void {
  if (res.writableEnded) return;
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
