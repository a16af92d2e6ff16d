import type { AnyJobs, JobMap, TypeOf } from './job-map.js';
import type { Job, ListableJobState } from './job.js';

/** A page of `listJobs`: newest first; `nextCursor` goes on, null at the end. */
export interface JobPage<Jobs extends JobMap<Jobs> = AnyJobs, T extends TypeOf<Jobs> = TypeOf<Jobs>> {
  jobs: Array<Job<Jobs, T>>;
  nextCursor: string | null;
}

/** Why one search call stopped: `end` (all read), your `limit` or `scan`, or the server's `bytes` (4 MiB) or `time` (2 s). */
export type SearchStop = 'end' | 'limit' | 'scan' | 'bytes' | 'time';

/** A page of `searchJobs`: its matches, what it cost, and why it stopped. */
export interface SearchPage<Jobs extends JobMap<Jobs> = AnyJobs, T extends TypeOf<Jobs> = TypeOf<Jobs>> extends JobPage<Jobs, T> {
  /** Jobs read by this call. */
  scanned: number;
  /** Bytes of job data read (payloads scanned, matches in full). */
  bytesRead: number;
  stoppedBy: SearchStop;
}

/** `listJobs`: which state, how many per page, from where. */
export interface ListJobsQuery {
  /** @defaultValue `failed` (the dead-letter set) */
  state?: ListableJobState;
  /** Jobs per page, 1..100. @defaultValue 20 */
  limit?: number;
  /** A page's `nextCursor`, to start there. */
  cursor?: string;
}

/** `searchJobs`: the bounds of each call (one page). */
export interface SearchJobsQuery {
  /** Only this state; every state when absent. */
  state?: ListableJobState;
  /** Most matches per page, 1..100. @defaultValue 20 */
  limit?: number;
  /** Most jobs one call reads, 1..5000: the cost bound. @defaultValue 1000 */
  scan?: number;
  /** A page's `nextCursor`, to start there. */
  cursor?: string;
}
