import { resolve } from 'node:path';
import { fairPartition, TenantId } from '@floodgate/shared/fairness';
import { isJobType, jobTypes, type JobType } from '@floodgate/shared/jobs';
import type { Logger } from '@floodgate/shared/logger';
import { WINDOWS, type WindowName } from '@floodgate/shared/overview';
import { parseSearchQuery, SEARCH_CURSOR, SEARCH_STATES, searchJobs, SearchQueryError } from '@floodgate/shared/search';
import express, { Router, type Response } from 'express';
import type { RedisClient } from '@floodgate/shared/redis';
import { z } from 'zod';
import { OVERVIEW_PATH, sessionOf } from '../auth';
import type { DashboardQueues } from '../queues';
import { runQueueAction, RETRY_FAILED_MAX, type QueueAction } from './overview-actions';
import { readOverview } from './overview-data';


/** The page, its script and stylesheet: files of this package, no inline script anywhere. */
const PUBLIC_DIR = resolve(__dirname, '../../public/overview');
/** uPlot from its npm package, served from here: no CDN. */
const UPLOT_DIR = resolve(require.resolve('uplot/dist/uPlot.iife.min.js'), '..');

export interface OverviewDeps {
  redis: RedisClient;
  prefix: string;
  queues: DashboardQueues;
  logger: Logger;
}

const DataQuery = z.strictObject({ window: z.enum(Object.keys(WINDOWS) as [WindowName, ...WindowName[]]).default('15m') });
const SearchQuery = z.strictObject({
  type: z.enum(jobTypes as [JobType, ...JobType[]]),
  q: z.string().max(1_024),
  state: z.enum(SEARCH_STATES).optional(),
  cursor: z.string().regex(SEARCH_CURSOR).optional(),
});
/** The page shows at most this many matches per search, having read at most SEARCH_SCAN jobs. */
const SEARCH_LIMIT = 50;
const SEARCH_SCAN = 2_000;

/**
 * The overview page behind the session check: the page, its assets and JSON (`api/data`, `api/search`) for everyone, and
 * the admin's pause, resume and retry-failed POSTs per queue and per tenant (403 for a viewer; CSRF-checked app-wide).
 */
export function overviewRouter(deps: OverviewDeps): Router {
  const router = Router();
  router.get(OVERVIEW_PATH, (_req, res) => res.sendFile('overview.html', { root: PUBLIC_DIR }));
  router.use(`${OVERVIEW_PATH}/assets`, express.static(PUBLIC_DIR, { index: false, fallthrough: true }));
  router.use(`${OVERVIEW_PATH}/assets/uplot`, (req, res, next) => {
    // Only uPlot's two files, not the package's whole folder.
    if (req.path !== '/uPlot.iife.min.js' && req.path !== '/uPlot.min.css') return next();
    res.sendFile(req.path.slice(1), { root: UPLOT_DIR });
  });

  router.get(`${OVERVIEW_PATH}/api/data`, async (req, res) => {
    const query = DataQuery.safeParse(req.query);
    if (!query.success) return badRequest(res, 'invalid_query', 'window is one of 15m, 1h, 24h.');
    const data = await readOverview(deps.redis, deps.prefix, deps.queues, query.data.window);
    res.json({ ...data, role: sessionOf(res)?.role ?? 'viewer', retryFailedMax: RETRY_FAILED_MAX });
  });

  router.get(`${OVERVIEW_PATH}/api/search`, async (req, res) => {
    const query = SearchQuery.safeParse(req.query);
    if (!query.success) return badRequest(res, 'invalid_query', 'Search takes type, q, and optionally state and cursor.');
    const { type, q, state, cursor } = query.data;
    let terms;
    try {
      terms = parseSearchQuery(type, q);
    } catch (err) {
      if (err instanceof SearchQueryError) return badRequest(res, err.code, err.message);
      throw err;
    }
    const found = await searchJobs(deps.queues[type], { terms, state, cursor, limit: SEARCH_LIMIT, scan: SEARCH_SCAN });
    res.json({
      jobs: found.matches.map(({ job, state: jobState }) => ({
        id: String(job.id),
        state: jobState,
        data: job.data as unknown,
        createdAt: job.timestamp ? new Date(job.timestamp).toISOString() : null,
        attempts: job.attemptsMade,
        error: job.failedReason || null,
      })),
      scanned: found.scanned,
      nextCursor: found.nextCursor,
    });
  });

  router.post(`${OVERVIEW_PATH}/api/queues/:type/tenants/:tenant/:action`, async (req, res) => {
    if (sessionOf(res)?.role !== 'admin') return forbidden(res);
    const type = String(req.params.type);
    const action = String(req.params.action);
    const tenant = TenantId.safeParse(String(req.params.tenant));
    if (!isJobType(type)) return badRequest(res, 'unknown_job_type', `Unknown job type "${type}".`, 404);
    if (action !== 'pause' && action !== 'resume') return badRequest(res, 'route_not_found', `No action "${action}"; pause or resume.`, 404);
    if (!tenant.success) return badRequest(res, 'invalid_tenant', 'A tenant is key:<key id>, ip:<address> or anonymous.');
    const paused = action === 'pause';
    await Promise.all(deps.queues[type].partitions.map((queue) => fairPartition(deps.redis, queue).pauseTenant(tenant.data, paused)));
    deps.logger.info({ type, tenant: tenant.data, action, user: sessionOf(res)?.user }, 'overview tenant action');
    res.json({ type, tenant: tenant.data, paused });
  });

  router.post(`${OVERVIEW_PATH}/api/queues/:type/:action`, async (req, res) => {
    if (sessionOf(res)?.role !== 'admin') return forbidden(res);
    const type = String(req.params.type);
    const action = String(req.params.action);
    if (!isJobType(type)) return badRequest(res, 'unknown_job_type', `Unknown job type "${type}".`, 404);
    if (action !== 'pause' && action !== 'resume' && action !== 'retry-failed') {
      return badRequest(res, 'route_not_found', `No action "${action}"; pause, resume or retry-failed.`, 404);
    }
    const outcome = await runQueueAction(type, deps.queues[type], action as QueueAction);
    deps.logger.info({ type, action, user: sessionOf(res)?.user, outcome }, 'overview action');
    res.json(outcome);
  });
  return router;
}

function forbidden(res: Response): void {
  res.status(403).json({ error: { code: 'forbidden', message: 'Viewers can look but not change anything; sign in as an admin to do that.' } });
}

function badRequest(res: Response, code: string, message: string, status = 400): void {
  res.status(status).json({ error: { code, message } });
}
