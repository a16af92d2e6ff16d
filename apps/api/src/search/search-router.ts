import type { JobType } from '@floodgate/shared/jobs';
import { SearchQuery, type Reply, type Routes } from '@floodgate/shared/wire';
import type { Request, Response } from 'express';
import type { RedisClient } from '@floodgate/shared/redis';
import { invalidQuery } from '../errors';
import type { JobQueues } from '../redis/queues';
import { REDIS_DEADLINE_MS, withRedis } from '../redis/redis-deadline';
import { callerOfRequest } from '../http/request-params';
import { parseSearchQuery, SEARCH_MAX_BYTES, searchJobs, SearchQueryError, type SearchResult } from '@floodgate/shared/search';
import { HttpError } from '../errors/http-error';
import { toJobView } from '../http/job-view';
import { createCallerSlots, type CallerSlots } from './caller-slots';
import { tooManySearches } from './too-many-searches';

/**
 * How long a search reads before it answers with what it found so far
 * (`stoppedBy: "time"`, and a cursor to go on): well inside the 5 s deadline,
 * so a slow Redis gives a partial answer rather than a 503. @defaultValue 2000
 */
export const SEARCH_TIME_BUDGET_MS = 2_000;

/** The bounds of the server's side of a search; each has the default named beside it. */
export interface SearchBounds {
  /** Searches per caller at once (SEARCHES_PER_CALLER). */
  slots?: CallerSlots;
  /** Bytes of job data per call (SEARCH_MAX_BYTES). */
  maxBytes?: number;
  /** Time after which a call answers with what it found (SEARCH_TIME_BUDGET_MS). */
  timeBudgetMs?: number;
  /** Time after which a call answers 503 `redis_timeout` and stops (REDIS_DEADLINE_MS). */
  deadlineMs?: number;
}

/**
 * Job search on the list route: a `GET /v1/jobs/:type` with `q` is answered
 * here (a bounded scan, see searchJobs); without `q` routes/jobs.ts lists.
 */
export function createJobSearch(deps: {
  queues: JobQueues;
  redis: RedisClient;
  searchBounds?: SearchBounds | undefined;
}): (req: Request, res: Response, type: JobType) => Promise<Reply<Routes['listJobs']>> {
  const slots = deps.searchBounds?.slots ?? createCallerSlots();
  return async (req, res, type) => {
    const query = SearchQuery.safeParse(req.query);
    if (!query.success) throw invalidQuery(query.error.issues);
    const terms = parseTerms(type, query.data.q);
    const caller = callerOfRequest(req).client;
    const release = slots.take(caller);
    if (!release) throw tooManySearches(slots.running(caller), slots.max);
    // The scan reads only while its answer is wanted: it stops at the deadline's 503 and when the client hangs up.
    const stop = new AbortController();
    const abandon = () => stop.abort();
    res.once('close', abandon);
    if (req.socket.destroyed) abandon();
    let scan: Promise<SearchResult> | undefined;
    try {
      const found = await withRedis(
        deps.redis,
        () =>
          (scan = searchJobs(deps.queues[type], {
            terms,
            state: query.data.state,
            limit: query.data.limit,
            scan: query.data.scan,
            cursor: query.data.cursor,
            maxBytes: deps.searchBounds?.maxBytes ?? SEARCH_MAX_BYTES,
            timeBudgetMs: deps.searchBounds?.timeBudgetMs ?? SEARCH_TIME_BUDGET_MS,
            signal: stop.signal,
          })),
        deps.searchBounds?.deadlineMs ?? REDIS_DEADLINE_MS,
      );
      const { matches, scanned, bytesRead, stoppedBy, nextCursor } = found;
      // `aborted`: the client hung up, and this answer goes nowhere (the mount writes nothing to a closed response).
      const reason = stoppedBy === 'aborted' ? 'time' : stoppedBy;
      return { status: 200, body: { jobs: matches.map(({ job, state }) => toJobView(type, job, state)), scanned, bytesRead, stoppedBy: reason, nextCursor } };
    } finally {
      stop.abort();
      res.off('close', abandon);
      // The slot is the caller's until its scan has stopped reading, not merely until the answer:
      // a client that hangs up and asks again cannot pile up scans behind its back.
      if (scan) void scan.then(release, release);
      else release();
    }
  };
}

function parseTerms(type: JobType, q: string) {
  try {
    return parseSearchQuery(type, q);
  } catch (err) {
    if (err instanceof SearchQueryError) throw new HttpError(err.code, err.message);
    throw err;
  }
}
