import type { JobType } from '@floodgate/shared/jobs';
import { Router } from 'express';
import type { RedisClient } from '@floodgate/shared/redis';
import { z } from 'zod';
import { invalidQuery } from '../errors';
import type { JobQueues } from '../queues';
import { withRedis } from '../redis-deadline';
import { jobTypeOf } from '../http/request-params';
import { MAX_QUERY_CHARS, parseSearchQuery, SEARCH_CURSOR, SEARCH_STATES, searchJobs, SearchQueryError } from '@floodgate/shared/search';
import { HttpError } from '../errors/http-error';
import { toJobView } from '../http/job-view';

/** `GET /v1/jobs/:type?q=` query. */
export const SearchQuery = z.strictObject({
  q: z.string().max(MAX_QUERY_CHARS * 4).describe('field:value terms, all of which must match: id:<job id>, text:<contains>, url.host:<host>, n:<number>'),
  state: z.enum(SEARCH_STATES).optional().describe('only this state; every state when absent'),
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('most matches returned'),
  scan: z.coerce.number().int().min(1).max(5_000).default(1_000).describe('most jobs read by this call: the cost bound'),
  cursor: z.string().regex(SEARCH_CURSOR).optional().describe("the previous answer's nextCursor"),
});

/**
 * Job search on the list route: a `GET /v1/jobs/:type` with `q` is answered
 * here (a bounded scan, see searchJobs); without `q` it goes on to the plain
 * listing in routes/jobs.ts. Mounted before the jobs router.
 */
export function searchRouter(deps: { queues: JobQueues; redis: RedisClient }): Router {
  const router = Router();
  router.get('/v1/jobs/:type', async (req, res, next) => {
    if (req.query.q === undefined) return next();
    const type = jobTypeOf(req);
    const query = SearchQuery.safeParse(req.query);
    if (!query.success) throw invalidQuery(query.error.issues);
    const terms = parseTerms(type, query.data.q);
    const { matches, scanned, nextCursor } = await withRedis(deps.redis, () =>
      searchJobs(deps.queues[type], { terms, state: query.data.state, limit: query.data.limit, scan: query.data.scan, cursor: query.data.cursor }),
    );
    res.json({ jobs: matches.map(({ job, state }) => toJobView(type, job, state)), scanned, nextCursor });
  });
  return router;
}

function parseTerms(type: JobType, q: string) {
  try {
    return parseSearchQuery(type, q);
  } catch (err) {
    if (err instanceof SearchQueryError) throw new HttpError(err.code, err.message);
    throw err;
  }
}
