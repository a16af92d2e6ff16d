import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { catalog, isJobType } from '@floodgate/shared/jobs';
import type { Queue } from 'bullmq';
import express, { type Express } from 'express';
import { basicAuth } from './basic-auth';
import type { Credentials } from './credentials';

/** Where Bull Board is served. */
export const BOARD_PATH = '/admin/queues';

export interface DashboardDeps {
  /** One BullMQ Queue per job type. */
  queues: Queue[];
  credentials: Pick<Credentials, 'user' | 'password'>;
}

/** Builds the dashboard without listening, so tests run it on any port. */
export function createApp(deps: DashboardDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Unauthenticated on purpose: pm2 and load balancers probe it, and it says nothing about the jobs.
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  // Everything else, Bull Board's pages, static files and JSON API alike, needs the password.
  app.use(basicAuth(deps.credentials));
  app.get('/', (_req, res) => res.redirect(BOARD_PATH));

  const serverAdapter = new ExpressAdapter().setBasePath(BOARD_PATH);
  createBullBoard({
    queues: deps.queues.map(
      (queue) =>
        new BullMQAdapter(queue, {
          description: isJobType(queue.name) ? catalog[queue.name].description : '',
        }),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'floodgate' } },
  });
  app.use(BOARD_PATH, serverAdapter.getRouter() as express.Router);

  app.use((req, res) => {
    res.status(404).json({ error: { code: 'route_not_found', message: `No route for ${req.method} ${req.path}.` } });
  });
  return app;
}
