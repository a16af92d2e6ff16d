import type { Job, Queue } from 'bullmq';
import type { TypeQueue } from '../jobs/type-queue';
import type { ListableJobState } from '../wire/job-states';
import { matchesTerms, type SearchTerm } from './search-query';

/** The wire's listable states, in the order a search walks them when none is given (the cursor counts in it). */
export const SEARCH_STATES = ['active', 'waiting', 'prioritized', 'delayed', 'failed', 'completed', 'waiting-children'] as const satisfies readonly ListableJobState[];
export type SearchState = (typeof SEARCH_STATES)[number];

/** Jobs read per round trip. */
const PAGE = 100;

export interface SearchRequest {
  terms: readonly SearchTerm[];
  /** Only this state; all of {@link SEARCH_STATES} when undefined. */
  state?: SearchState | undefined;
  /** Most matches returned. */
  limit: number;
  /** Most jobs read: the scan's bound. */
  scan: number;
  /** Where the last call stopped (its `nextCursor`), or undefined to start. */
  cursor?: string | undefined;
}

/** One job a search found, with the state it was found in. */
export interface SearchMatch {
  job: Job;
  /** `unknown` only for a job found by id that changed state as it was read. */
  state: SearchState | 'unknown';
}

export interface SearchResult {
  matches: SearchMatch[];
  /** Jobs read by this call (never more than `scan`). */
  scanned: number;
  /** Pass as `cursor` to go on where this call stopped; null when every state was read to its end. */
  nextCursor: string | null;
}

/**
 * A cursor is `<state index>.<offset>`: the state being read and how far into
 * it (newest first), behind `<partition>.` when the type has several partitions.
 */
export const SEARCH_CURSOR = /^(?:\d{1,2}\.)?[0-6]\.\d{1,7}$/;

/**
 * A bounded scan: reads the type's jobs state by state, newest first, in pages
 * of 100 (one range read plus one hash read per job), until `limit` matches or
 * `scan` jobs read, whichever comes first. Cost per call: at most `scan` job
 * reads, whatever the queue holds; a search over more jobs goes on with the
 * cursor. An `id:` term reads that one job instead. Jobs that change state
 * between calls can be seen twice or missed: offsets move as the lists do.
 */
export async function searchJobs(queues: TypeQueue, request: SearchRequest): Promise<SearchResult> {
  const idTerm = request.terms.find((term) => term.kind === 'id');
  if (idTerm) return findById(queues, idTerm.id, request);
  // A partitioned type is searched one partition after another, under the same bounds.
  const many = queues.partitions.length > 1;
  const parts = request.cursor?.split('.') ?? [];
  let partition = parts.length === 3 ? Number(parts[0]) : 0;
  let cursor = parts.length === 3 ? parts.slice(1).join('.') : request.cursor;
  const matches: SearchMatch[] = [];
  let scanned = 0;
  while (partition < queues.partitions.length && matches.length < request.limit && scanned < request.scan) {
    const found = await searchQueue(queues, queues.partitions[partition]!, { ...request, cursor, limit: request.limit - matches.length, scan: request.scan - scanned });
    matches.push(...found.matches);
    scanned += found.scanned;
    if (found.nextCursor !== null) return { matches, scanned, nextCursor: many ? `${partition}.${found.nextCursor}` : found.nextCursor };
    partition++;
    cursor = undefined;
  }
  return { matches, scanned, nextCursor: partition < queues.partitions.length ? `${partition}.0.0` : null };
}

/** {@link searchJobs} over one queue. */
async function searchQueue(queues: TypeQueue, queue: Queue, request: SearchRequest): Promise<SearchResult> {

  const states: readonly SearchState[] = request.state ? [request.state] : SEARCH_STATES;
  let [stateIndex, offset] = (request.cursor ?? '0.0').split('.').map(Number) as [number, number];
  const matches: SearchMatch[] = [];
  let scanned = 0;
  while (stateIndex < states.length && scanned < request.scan && matches.length < request.limit) {
    const state = states[stateIndex] as SearchState;
    const want = Math.min(PAGE, request.scan - scanned);
    const ids = await queues.idsIn(queue, [state], offset, want);
    const page = await Promise.all(ids.map((id) => queue.getJob(id)));
    let consumed = 0;
    for (const job of page) {
      consumed++;
      scanned++;
      offset++;
      // Removed between the range read and the hash read (retention): nothing to match.
      if (job && matchesTerms(request.terms, String(job.id), job.data)) matches.push({ job, state });
      if (matches.length === request.limit) break;
    }
    if (ids.length < want && consumed === ids.length) {
      // This state's list ended: the next one from its start.
      stateIndex++;
      offset = 0;
    }
  }
  return { matches, scanned, nextCursor: stateIndex < states.length ? `${stateIndex}.${offset}` : null };
}

async function findById(queues: TypeQueue, id: string, request: SearchRequest): Promise<SearchResult> {
  const job = await queues.getJob(id);
  if (!job) return { matches: [], scanned: 0, nextCursor: null };
  const found = await queues.getJobState(id);
  const state = (SEARCH_STATES as readonly string[]).includes(found) ? (found as SearchState) : 'unknown';
  const wanted = (request.state === undefined || request.state === state) && matchesTerms(request.terms, id, job.data);
  return { matches: wanted ? [{ job, state }] : [], scanned: 1, nextCursor: null };
}
