import type { z } from 'zod';
import { computeJob } from './compute';
import type { JobDefinition } from './define-job';
import { pageExtractJob } from './page-extract';
import { sentimentJob } from './sentiment';

/** The job types this repository's own apps run (the reference app); `useJobs` replaces them. */
const builtInJobs = {
  sentiment: sentimentJob,
  'page-extract': pageExtractJob,
  compute: computeJob,
} as const;

/**
 * Every job type this process knows: the contract between the API (validates, enqueues) and the workers (one handler
 * each). The built-in types unless {@link useJobs} was called; the types below name the built-in ones.
 */
export const catalog: Catalog = { ...builtInJobs };

export type Catalog = typeof builtInJobs;
export type JobType = keyof Catalog;
export type PayloadOf<T extends JobType> = z.infer<Catalog[T]['payload']>;
export type ResultOf<T extends JobType> = z.infer<Catalog[T]['result']>;

/** The keys of {@link catalog}, in order; the same array, kept in step by {@link useJobs}. */
export const jobTypes = Object.keys(catalog) as JobType[];

/**
 * Makes `definitions` this process's catalog, in place of the built-in types. Call it once, first: modules that derive
 * from the catalog load after it (as `startWorker`/`startApi`/`startDashboard` ensure). Every process of a deployment
 * must be given the same definitions.
 */
export function useJobs(definitions: readonly JobDefinition[]): void {
  if (definitions.length === 0) throw new Error('useJobs needs at least one job definition');
  const seen = new Set<string>();
  for (const definition of definitions) {
    if (seen.has(definition.type)) throw new Error(`Job type "${definition.type}" is defined twice`);
    seen.add(definition.type);
  }
  const registry = catalog as unknown as Record<string, JobDefinition>;
  for (const type of Object.keys(registry)) delete registry[type];
  for (const definition of definitions) registry[definition.type] = definition;
  jobTypes.splice(0, jobTypes.length, ...(definitions.map((definition) => definition.type) as JobType[]));
}

export function isJobType(value: string): value is JobType {
  return Object.hasOwn(catalog, value);
}

export function getJobDefinition(type: JobType): JobDefinition {
  return catalog[type];
}
