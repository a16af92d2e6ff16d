import type { AnyJobs, JobMap, TypeOf } from './job-map.js';
import type { Job, ListableJobState } from './job.js';
import type * as Wire from './wire.generated.js';

/** A page of `listJobs`: newest first; `nextCursor` goes on, null at the end. */
export interface JobPage<Jobs extends JobMap<Jobs> = AnyJobs, T extends TypeOf<Jobs> = TypeOf<Jobs>> extends Pick<Wire.JobPage, 'nextCursor'> {
  jobs: Array<Job<Jobs, T>>;
}

/** Why one search call stopped: `end` (all read), your `limit` or `scan`, or the server's `bytes` (4 MiB) or `time` (2 s). */
export type SearchStop = NonNullable<Wire.JobPage['stoppedBy']>;

/** A page of `searchJobs`: its matches, what it cost (jobs `scanned`, `bytesRead`), and why it stopped. */
export interface SearchPage<Jobs extends JobMap<Jobs> = AnyJobs, T extends TypeOf<Jobs> = TypeOf<Jobs>>
  extends JobPage<Jobs, T>,
    Required<Pick<Wire.JobPage, 'scanned' | 'bytesRead' | 'stoppedBy'>> {}

/** `listJobs`: which state (`failed`, the dead-letter set, by default), how many per page (1..100, 20 by default), from where. */
export type ListJobsQuery = Pick<Wire.Queries['listJobs'], 'state' | 'limit' | 'cursor'>;

/** `searchJobs`: the bounds of each call (one page): only this `state` (every state when absent), most matches (`limit`), most jobs read (`scan`). */
export type SearchJobsQuery = Pick<Wire.Queries['listJobs'], 'limit' | 'scan' | 'cursor'> & { state?: ListableJobState };
