import type { z } from 'zod';
import { computeJob } from './compute';
import type { JobDefinition } from './define-job';
import { pageExtractJob } from './page-extract';
import { sentimentJob } from './sentiment';

/**
 * Every job type floodgate knows: the single contract between the API (which
 * validates and enqueues) and the workers (which must have one handler each).
 * Adding a type: a definition file beside this one, an entry here, and a
 * handler in apps/worker/src/handlers.
 */
export const catalog = {
  sentiment: sentimentJob,
  'page-extract': pageExtractJob,
  compute: computeJob,
} as const;

export type Catalog = typeof catalog;
export type JobType = keyof Catalog;
export type PayloadOf<T extends JobType> = z.infer<Catalog[T]['payload']>;
export type ResultOf<T extends JobType> = z.infer<Catalog[T]['result']>;

export const jobTypes = Object.keys(catalog) as JobType[];

export function isJobType(value: string): value is JobType {
  return Object.hasOwn(catalog, value);
}

export function getJobDefinition(type: JobType): JobDefinition {
  return catalog[type];
}
