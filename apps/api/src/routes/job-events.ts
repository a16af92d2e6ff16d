import type { Response } from 'express';
import type { RedisClient } from '@floodgate/shared/redis';
import { jobNotFound } from '../errors';
import type { JobEvent, JobWaiter } from '../waiting/job-waiter';
import { readJob, toJobView } from '../http/job-view';
import type { JobQueues } from '../redis/queues';
import { withRedis } from '../redis/redis-deadline';
import { jobIdOf } from '../http/request-params';
import type { HandlersOf } from './route-handlers';

/** A comment line this often keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

/** A `Last-Event-ID` this stream can count on from: a whole number that stays exact in a double. */
const EVENT_ID = /^\d{1,15}$/;

/**
 * `GET /v1/jobs/:type/:id/events`: Server-Sent Events for one job (`state`, `progress`, then `completed` or `failed`, and
 * the stream closes; see docs/api.md). A reconnect with `Last-Event-ID` gets ids going on from it, the current `state`
 * and live events; no state is kept per stream, so it may land on any API process.
 */
export function jobEventsHandlers(deps: { queues: JobQueues; redis: RedisClient; waiter: JobWaiter }): HandlersOf<'watchJob'> {
  return {
    watchJob: async ({ req, res, type }) => {
      const id = jobIdOf(req);
      const queue = deps.queues[type];
      const read = async () => {
        const found = await withRedis(deps.redis, () => readJob(queue, id));
        return found ? toJobView(type, found.job, found.state) : undefined;
      };
      if (!(await read())) throw jobNotFound(type, id);

      res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      const send = eventWriter(res, resumedAfter(req.get('last-event-id')));
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
      // Released by a shutdown: the stream ends, and the client reconnects (with Last-Event-ID) to another process.
      unwatch = await deps.waiter.watch(
        type,
        id,
        (event) => {
          send(event.event, payloadOf(event));
          if (event.event !== 'progress') finish();
        },
        finish,
      );
      if (closed) return unwatch();
      // Headers go out only now: a client that sees them knows nothing from here on is missed.
      res.flushHeaders();
      const view = await read();
      if (!view) return finish();
      send('state', view);
      if (view.state === 'completed') send('completed', { result: view.result });
      if (view.state === 'failed') send('failed', { error: view.error });
      if (view.state === 'completed' || view.state === 'failed') finish();
    },
  };
}

/**
 * The id this stream's events count on from: the `Last-Event-ID` a reconnecting
 * client sent, or 0 for a new stream (and for an id this API never gave, which
 * cannot be counted on from).
 */
function resumedAfter(header: string | undefined): number {
  return header !== undefined && EVENT_ID.test(header.trim()) ? Number(header.trim()) : 0;
}

function payloadOf(event: JobEvent): unknown {
  if (event.event === 'progress') return { progress: event.data };
  if (event.event === 'completed') return { result: event.returnvalue };
  return { error: event.failedReason };
}

/** Writes one event with the next id, until the stream has ended. */
function eventWriter(res: Response, lastId: number): (event: string, data: unknown) => void {
  let id = lastId;
  return (event, data) => {
    if (res.writableEnded) return;
    id += 1;
    res.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
}
