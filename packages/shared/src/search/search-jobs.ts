import type { Job, Queue } from 'bullmq';
import type { TypeQueue } from '../queues/type-queue';
import type { ListableJobState } from '../wire/job-states';
import { readPayloads } from './read-payloads';
import { matchesTerms, type SearchTerm } from './search-query';

/** The wire's listable states, in the order a search walks them when none is given (the cursor counts in it). */
export const SEARCH_STATES = ['active', 'waiting', 'prioritized', 'delayed', 'failed', 'completed', 'waiting-children'] as const satisfies readonly ListableJobState[];
export type SearchState = (typeof SEARCH_STATES)[number];

/** Jobs read per round trip. */
const PAGE = 100;

/**
 * Most bytes of job data one search call reads by default: payloads scanned,
 * plus the full reads of its matches. 5,000 payloads of 800 bytes fit; a page of
 * large ones stops it early. @defaultValue 4 MiB
 */
export const SEARCH_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Why a call stopped: `end`, every job was read (nextCursor is null); `limit`
 * and `scan`, the caller's own bounds; `bytes` and `time`, the server's (it read
 * fewer jobs than `scan` allowed: go on with nextCursor); `aborted`, its signal
 * fired (nobody waits for the answer any more).
 */
export type SearchStop = 'end' | 'limit' | 'scan' | 'bytes' | 'time' | 'aborted';

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
  /** Most bytes of job data read (see {@link SEARCH_MAX_BYTES}); a call may pass it by its first job only. @defaultValue SEARCH_MAX_BYTES */
  maxBytes?: number | undefined;
  /** Stop between two round trips once this long has passed (a call reads one page whatever the time). @defaultValue no limit */
  timeBudgetMs?: number | undefined;
  /** Stops the scan before its next round trip: the answer is no longer wanted (deadline passed, client gone). */
  signal?: AbortSignal | undefined;
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
  /** Bytes of job data read: payloads scanned and matches read in full. */
  bytesRead: number;
  /** Pass as `cursor` to go on where this call stopped; null when every state was read to its end. */
  nextCursor: string | null;
  stoppedBy: SearchStop;
}

/**
 * A cursor is `<state index>.<offset>`: the state being read and how far into
 * it (newest first), behind `<partition>.` when the type has several partitions.
 */
export const SEARCH_CURSOR = /^(?:\d{1,2}\.)?[0-6]\.\d{1,7}$/;

/** What one call has read so far, shared by the partitions it walks. */
interface Progress {
  request: SearchRequest;
  maxBytes: number;
  startedAt: number;
  matches: SearchMatch[];
  scanned: number;
  bytesRead: number;
  /** Set where the reason to stop is found mid-page (a payload or a match that would not fit). */
  halted?: SearchStop;
}

/**
 * A bounded scan of the type's jobs, state by state, newest first, in pages of 100, until `limit` matches, `scan` jobs,
 * `maxBytes` read or `timeBudgetMs` spent (the signal stops it before its next round trip); the cursor goes on from there.
 * An `id:` term reads that one job. Jobs changing state between calls may be seen twice or missed.
 */
export async function searchJobs(queues: TypeQueue, request: SearchRequest): Promise<SearchResult> {
  const idTerm = request.terms.find((term) => term.kind === 'id');
  if (idTerm) return findById(queues, idTerm.id, request);
  // A partitioned type is searched one partition after another, under the same bounds.
  const many = queues.partitions.length > 1;
  const parts = request.cursor?.split('.') ?? [];
  let partition = parts.length === 3 ? Number(parts[0]) : 0;
  let cursor = parts.length === 3 ? parts.slice(1).join('.') : request.cursor;
  const progress: Progress = { request, maxBytes: request.maxBytes ?? SEARCH_MAX_BYTES, startedAt: Date.now(), matches: [], scanned: 0, bytesRead: 0 };
  const answer = (nextCursor: string | null, stoppedBy: SearchStop): SearchResult => ({
    matches: progress.matches,
    scanned: progress.scanned,
    bytesRead: progress.bytesRead,
    nextCursor,
    stoppedBy,
  });
  let stop = stopBefore(progress);
  while (partition < queues.partitions.length && stop === undefined) {
    const next = await searchQueue(queues, queues.partitions[partition]!, cursor, progress);
    if (next !== null) return answer(many ? `${partition}.${next}` : next, stopBefore(progress) ?? 'scan');
    partition++;
    cursor = undefined;
    stop = stopBefore(progress);
  }
  return partition < queues.partitions.length ? answer(`${partition}.0.0`, stop ?? 'scan') : answer(null, 'end');
}

/** The reason not to make another round trip, if there is one. */
function stopBefore(progress: Progress): SearchStop | undefined {
  const { request } = progress;
  if (progress.halted) return progress.halted;
  if (request.signal?.aborted) return 'aborted';
  if (progress.matches.length >= request.limit) return 'limit';
  if (progress.scanned >= request.scan) return 'scan';
  // The server's own bounds apply once the call has read something, so that every call moves on.
  if (progress.scanned === 0) return undefined;
  if (progress.bytesRead >= progress.maxBytes) return 'bytes';
  if (request.timeBudgetMs !== undefined && Date.now() - progress.startedAt >= request.timeBudgetMs) return 'time';
  return undefined;
}

/** {@link searchJobs} over one queue, from `cursor`: where it stopped, or null when it read every state to its end. */
async function searchQueue(queues: TypeQueue, queue: Queue, cursor: string | undefined, progress: Progress): Promise<string | null> {
  const { request } = progress;
  const states: readonly SearchState[] = request.state ? [request.state] : SEARCH_STATES;
  let [stateIndex, offset] = (cursor ?? '0.0').split('.').map(Number) as [number, number];
  while (stateIndex < states.length && stopBefore(progress) === undefined) {
    const state = states[stateIndex] as SearchState;
    const want = Math.min(PAGE, request.scan - progress.scanned);
    const ids = await queues.idsIn(queue, [state], offset, want);
    if (request.signal?.aborted) break;
    const page = await readPayloads(queue, ids, progress.maxBytes - progress.bytesRead, progress.scanned === 0);
    progress.bytesRead += page.bytes;
    if (page.jobs.length < ids.length) progress.halted = 'bytes';
    const found: string[] = [];
    let consumed = 0;
    for (const job of page.jobs) {
      // Removed between the range read and the payload read (retention): nothing to match.
      if (job.exists && matchesTerms(request.terms, job.id, job.data)) {
        // A match is read in full for its answer; one that would not fit waits for the next call.
        const first = progress.scanned === 0 && consumed === 0;
        if (!first && progress.bytesRead + job.fullBytes > progress.maxBytes) {
          progress.halted = 'bytes';
          break;
        }
        progress.bytesRead += job.fullBytes;
        found.push(job.id);
      }
      consumed++;
      if (progress.matches.length + found.length === request.limit) break;
    }
    progress.scanned += consumed;
    offset += consumed;
    if (found.length > 0 && !request.signal?.aborted) {
      const jobs = await Promise.all(found.map((id) => queue.getJob(id)));
      // A match removed since its payload was read is no longer one.
      for (const job of jobs) if (job) progress.matches.push({ job, state });
    }
    if (ids.length < want && consumed === ids.length) {
      // This state's list ended: the next one from its start.
      stateIndex++;
      offset = 0;
    }
  }
  return stateIndex < states.length ? `${stateIndex}.${offset}` : null;
}

async function findById(queues: TypeQueue, id: string, request: SearchRequest): Promise<SearchResult> {
  const job = await queues.getJob(id);
  if (!job) return { matches: [], scanned: 0, bytesRead: 0, nextCursor: null, stoppedBy: 'end' };
  const found = await queues.getJobState(id);
  const state = (SEARCH_STATES as readonly string[]).includes(found) ? (found as SearchState) : 'unknown';
  const wanted = (request.state === undefined || request.state === state) && matchesTerms(request.terms, id, job.data);
  return { matches: wanted ? [{ job, state }] : [], scanned: 1, bytesRead: 0, nextCursor: null, stoppedBy: 'end' };
}
