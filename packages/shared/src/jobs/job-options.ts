import type { JobsOptions, KeepJobs } from 'bullmq';
import type { JobDefinition } from './define-job';

/** BullMQ's retention options for a job type: keep by count and by age. */
export function retentionOptions(definition: JobDefinition): { removeOnComplete: KeepJobs; removeOnFail: KeepJobs } {
  const { completed, failed } = definition.retention;
  return {
    removeOnComplete: { count: completed.count, age: completed.ageSeconds },
    removeOnFail: { count: failed.count, age: failed.ageSeconds },
  };
}

const optionsByDefinition = new WeakMap<JobDefinition, Readonly<JobsOptions>>();

/**
 * The BullMQ options every job of this type is added with: attempts, backoff
 * and retention come from the catalog, so the API and the workers cannot
 * disagree about them. Built once per type (the API asks on every enqueue) and
 * frozen: spread it to add to it (BullMQ copies what it is given).
 */
export function jobOptionsFor(definition: JobDefinition): Readonly<JobsOptions> {
  let options = optionsByDefinition.get(definition);
  if (!options) {
    options = Object.freeze({
      attempts: definition.attempts,
      backoff: { type: definition.backoff.type, delay: definition.backoff.delayMs, jitter: definition.backoff.jitter },
      ...retentionOptions(definition),
    });
    optionsByDefinition.set(definition, options);
  }
  return options;
}
