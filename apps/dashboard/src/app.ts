import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { catalog, jobTypes } from '@floodgate/shared/jobs';
import type { Logger } from '@floodgate/shared/logger';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { RedisClient } from '@floodgate/shared/redis';
import type { TrustProxy } from '@floodgate/shared/env';
import { BOARD_PATH, OVERVIEW_PATH, requireSession, sessionOf, viewerIsReadOnly } from './auth';
import type { Account, Credentials, Role } from './credentials';
import { sameOriginGuard } from './csrf';
import { LOGOUT_PATH, loginRoutes } from './login';
import { LoginThrottle, type LoginThrottleOptions } from './login-throttle';
import type { DashboardQueues } from './queues';
import { overviewRouter } from './overview/overview-routes';
import { boardContentSecurityPolicy, overviewContentSecurityPolicy, securityHeaders } from './security-headers';
import { SessionCodec } from './session';

export { BOARD_PATH, LOGIN_PATH, OVERVIEW_PATH } from './auth';
export { LOGOUT_PATH } from './login';

type Login = Pick<Credentials, 'user' | 'password'>;

export interface DashboardDeps {
  /** The queue of every catalog job type; each becomes one board in the dashboard. */
  queues: DashboardQueues;
  /** The connection the queues share; the overview reads its history, heartbeats and proxies with it. */
  redis: RedisClient;
  /** QUEUE_PREFIX: where the overview's history, heartbeats and proxy health live. */
  prefix: string;
  /** Signs in with full control of Bull Board. */
  admin: Login;
  /** Signs in to a read-only Bull Board. */
  viewer: Login;
  /** Key of the session cookies' HMAC. */
  sessionSecret: string;
  /** `Secure` session cookies (and HSTS): the dashboard is served over HTTPS. @defaultValue false */
  secureCookies?: boolean;
  /** @defaultValue 8 hours */
  sessionLifetimeMs?: number;
  /** Back-off after failed logins, per client address. @defaultValue LoginThrottle's defaults */
  loginThrottle?: LoginThrottleOptions;
  /**
   * Which proxies may name the client in X-Forwarded-For (TRUST_PROXY): the
   * address the login back-off counts by and the logs show.
   * @defaultValue false (the peer's address: behind a proxy, every client shares the proxy's budget)
   */
  trustProxy?: TrustProxy;
  /** Logins, logouts, refusals and unexpected errors are logged here. */
  logger: Logger;
}

/** The dashboard's express app, and a way to show partitions opened after it started. */
export type DashboardApp = Express & {
  /** Shows every partition `deps.queues` holds now on both boards (after `growQueues`). */
  refreshBoards(): void;
};

/**
 * Builds the dashboard without listening (tests run it on any port): security headers, open `/healthz`, CSRF check, login
 * and logout, then the session check before the board of the session's role (the viewer's behind a read-only guard).
 */
export function createApp(deps: DashboardDeps): DashboardApp {
  const secure = deps.secureCookies ?? false;
  const accounts: Account[] = [
    { ...deps.admin, role: 'admin' },
    { ...deps.viewer, role: 'viewer' },
  ];
  const sessions = { codec: new SessionCodec(deps.sessionSecret, { lifetimeMs: deps.sessionLifetimeMs }), accounts, secure };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  app.use(securityHeaders({ secure }));

  // Unauthenticated on purpose: pm2 and load balancers probe it, and it says nothing about the jobs.
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));

  app.use(sameOriginGuard({ logger: deps.logger }));
  app.use(loginRoutes({ ...sessions, throttle: new LoginThrottle(deps.loginThrottle), logger: deps.logger }));

  // Everything after this needs a session: Bull Board's pages, files and JSON API (which can delete jobs), and the 404s,
  // which would otherwise tell a stranger which paths exist.
  app.use(requireSession(sessions));
  app.get('/', (_req, res) => res.redirect(BOARD_PATH));
  app.use(OVERVIEW_PATH, overviewContentSecurityPolicy({ secure }));
  app.use(overviewRouter({ redis: deps.redis, prefix: deps.prefix, queues: deps.queues, logger: deps.logger }));
  app.use(BOARD_PATH, boardContentSecurityPolicy({ secure }));
  app.use(BOARD_PATH, viewerIsReadOnly());
  // Two boards on one path; the session's role picks which one answers.
  const boards = [createBoard(deps.queues, 'admin'), createBoard(deps.queues, 'viewer')] as const;
  app.use(BOARD_PATH, forRole('admin', boards[0]));
  app.use(BOARD_PATH, forRole('viewer', boards[1]));

  app.use((req, res) => {
    res.status(404).json({ error: { code: 'route_not_found', message: `No route for ${req.method} ${req.path}.` } });
  });
  app.use(errorHandler(deps.logger));
  return Object.assign(app, { refreshBoards: () => boards.forEach((board) => board.refresh()) });
}

/**
 * Bull Board, one adapter per job type, serving paths relative to
 * {@link BOARD_PATH}. The viewer's board sets `readOnlyMode` on every queue:
 * Bull Board then hides every action in its UI and its write handlers answer
 * 405 QUEUE_READ_ONLY (see viewerIsReadOnly in auth.ts for the guard in front).
 */
export function createBoard(queues: DashboardQueues, role: Role): Express & { refresh(): void } {
  // The base path is what the board's HTML uses to link its scripts and API; it must match the mount point.
  const serverAdapter = new ExpressAdapter().setBasePath(BOARD_PATH);
  const readOnlyMode = role === 'viewer';
  // One entry per partition queue: the type as the name people read (the queue's own name
  // carries its hash tag, `{sentiment}`), then ` #i` for partition i of a partitioned type.
  const adapters = () =>
    jobTypes.flatMap((type) =>
      queues[type].partitions.map(
        (queue, i, all) =>
          new BullMQAdapter(queue, { description: catalog[type].description, displayName: all.length > 1 ? `${type} #${i}` : type, readOnlyMode }),
      ),
    );
  const { replaceQueues } = createBullBoard({
    queues: adapters(),
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: 'floodgate',
        // In the header's links menu; the page it opens has the (POST) logout button.
        miscLinks: [
          { text: 'Overview', url: OVERVIEW_PATH },
          { text: `Sign out (${role})`, url: LOGOUT_PATH },
        ],
        // Says on every page which board this is.
        ...(readOnlyMode ? { environment: { label: 'read-only', color: '#5c6778' } } : {}),
      },
    },
  });
  // getRouter() is an express app, typed `any` across the express versions Bull Board supports.
  const board = serverAdapter.getRouter() as Express;
  board.disable('x-powered-by');
  return Object.assign(board, { refresh: () => replaceQueues(adapters()) });
}

/**
 * `board`, answering only requests whose session has `role`; the others skip
 * it (`next('router')` leaves this app) and reach the next one.
 */
function forRole(role: Role, board: Express): Express {
  const gate = express();
  gate.disable('x-powered-by');
  gate.use((_req, res, next) => (sessionOf(res)?.role === role ? next() : next('router')));
  gate.use(board);
  return gate;
}

/**
 * Errors outside Bull Board's API (which answers its own): logged in full,
 * answered as JSON without a stack trace.
 */
function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    // express and its parsers mark what the client got wrong (a malformed path, a body too large) with a 4xx status.
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
