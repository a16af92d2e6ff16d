import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { catalog, type JobType } from '@floodgate/shared/jobs';
import type { Queue } from 'bullmq';
import type { Logger } from '@floodgate/shared/logger';
import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import { basicAuth } from './basic-auth';
import type { Credentials } from './credentials';
import type { DashboardQueues } from './queues';

/** Where Bull Board is served. */
export const BOARD_PATH = '/admin/queues';

export interface DashboardDeps {
  /** The queue of every catalog job type; each becomes one board in the dashboard. */
  queues: DashboardQueues;
  /** Required on every route but `GET /healthz`. */
  credentials: Pick<Credentials, 'user' | 'password'>;
  /** Failed logins and unexpected errors are logged here. */
  logger: Logger;
}

/** Builds the dashboard without listening, so tests run it on any port. */
export function createApp(deps: DashboardDeps): Express {
  const app = express();
  app.disable('x-powered-by');

  // Unauthenticated on purpose: pm2 and load balancers probe it, and it says nothing about the jobs.
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  // Everything after this line needs the password: Bull Board's pages, its static
  // files and its JSON API (which can delete jobs), and the 404s, which would
  // otherwise tell a stranger which paths exist.
  app.use(basicAuth(deps.credentials, { logger: deps.logger }));
  app.get('/', (_req, res) => res.redirect(BOARD_PATH));
  app.use(BOARD_PATH, createBoardRouter(deps.queues));

  app.use((req, res) => {
    res.status(404).json({ error: { code: 'route_not_found', message: `No route for ${req.method} ${req.path}.` } });
  });
  app.use(errorHandler(deps.logger));
  return app;
}

/** Bull Board, one adapter per job type, serving paths relative to {@link BOARD_PATH}. */
function createBoardRouter(queues: DashboardQueues): Router {
  // The base path is what the board's HTML uses to link its scripts and API; it must match the mount point.
  const serverAdapter = new ExpressAdapter().setBasePath(BOARD_PATH);
  createBullBoard({
    queues: (Object.entries(queues) as Array<[JobType, Queue]>).map(([type, queue]) => new BullMQAdapter(queue, { description: catalog[type].description })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'floodgate' } },
  });
  // getRouter() is typed `any` across the express versions Bull Board supports.
  return serverAdapter.getRouter() as Router;
}

/**
 * Errors outside Bull Board's API (which answers its own): logged in full,
 * answered as JSON without a stack trace.
 */
function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    // express and its parsers mark what the client got wrong (a malformed path, say) with a 4xx status.
    const status = (err as { status?: unknown }).status;
    const clientError = typeof status === 'number' && status >= 400 && status < 500;
    if (!clientError) logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
    if (res.headersSent) {
      // Too late for a clean answer: end the response rather than leave it hanging.
      res.destroy();
      return;
    }
    if (clientError) {
      res.status(status).json({ error: { code: 'bad_request', message: 'The request could not be read.' } });
      return;
    }
    res.status(500).json({ error: { code: 'internal_error', message: 'Something went wrong on our side; it has been logged.' } });
  };
}
