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
 * Every job type this process knows: the single contract between the API
 * (which validates and enqueues) and the workers (which must have one handler
 * each). This repository's apps run the built-in types; an app of your own
 * calls {@link useJobs} with its definitions before anything else reads it
 * (`startWorker`, `startApi` and `startDashboard` do). The types below name
 * the built-in ones; at run time the keys are whatever `useJobs` was given.
 */
export const catalog: Catalog = { ...builtInJobs };

export type Catalog = typeof builtInJobs;
export type JobType = keyof Catalog;
export type PayloadOf<T extends JobType> = z.infer<Catalog[T]['payload']>;
export type ResultOf<T extends JobType> = z.infer<Catalog[T]['result']>;

/** The keys of {@link catalog}, in order; the same array, kept in step by {@link useJobs}. */
export const jobTypes = Object.keys(catalog) as JobType[];

/**
 * Makes `definitions` the catalog of this process, in place of the built-in
 * types. Call it once, first: modules that derive from the catalog when they
 * load (the wire schemas, scopes, env parsing) must load after it, which is why
 * `startWorker`/`startApi`/`startDashboard` import the rest of floodgate only
 * once they have called it. Every process of a deployment must be given the
 * same definitions: they are the contract between them.
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
