import { z } from 'zod';
import { optionalStringEnv } from '../env/coercers';
import { catalog, isJobType, jobTypes, type JobType } from './catalog';
import { MAX_PARTITIONS, partitionCountProblem } from './define-job';

/**
 * An environment variable of per-type numbers, `type=N` pairs separated by
 * commas (`page-extract=500,compute=1`), overriding the catalog's value for the
 * types it names. Unknown types and out-of-range numbers are errors, listed
 * with the rest of the environment's.
 */
export function perTypeNumbersEnv(bounds: { min: number; max: number }) {
  return optionalStringEnv()
    .transform((value, ctx) => {
      const result: Record<string, number> = {};
      for (const pair of (value ?? '').split(',').filter((p) => p.trim() !== '')) {
        const [type = '', count = ''] = pair.split('=').map((part) => part.trim());
        const n = Number(count);
        if (!(jobTypes as string[]).includes(type)) {
          ctx.addIssue({ code: 'custom', message: `unknown job type "${type}" (known: ${jobTypes.join(', ')})` });
        } else if (count === '' || !Number.isInteger(n) || n < bounds.min || n > bounds.max) {
          ctx.addIssue({ code: 'custom', message: `${type} must be a whole number from ${bounds.min} to ${bounds.max}, got "${count}"` });
        } else {
          result[type] = n;
        }
      }
      return result;
    })
    .pipe(z.record(z.string(), z.number()));
}

/**
 * QUEUE_PARTITIONS: `type=N` pairs overriding the catalog's `partitions`,
 * refused when a type's per-queue limits cannot be split over N partitions.
 */
export function partitionsEnv() {
  return perTypeNumbersEnv({ min: 1, max: MAX_PARTITIONS }).superRefine((counts, ctx) => {
    for (const [type, count] of Object.entries(counts)) {
      const problem = isJobType(type) ? partitionCountProblem(catalog[type], count) : undefined;
      if (problem) ctx.addIssue({ code: 'custom', message: `${type}: ${problem}` });
    }
  });
}

/**
 * QUEUE_FAIRNESS: `on` or `off` for every type, or `type=on|off` pairs
 * (`compute=off`) over the catalog's `fair`. Gives the types it names.
 */
export function fairnessEnv() {
  return optionalStringEnv()
    .transform((value, ctx) => {
      const result: Record<string, boolean> = {};
      const text = (value ?? '').trim().toLowerCase();
      if (text === 'on' || text === 'off') {
        for (const type of jobTypes) result[type] = text === 'on';
        return result;
      }
      for (const pair of text.split(',').filter((p) => p.trim() !== '')) {
        const [type = '', switched = ''] = pair.split('=').map((part) => part.trim());
        if (!(jobTypes as string[]).includes(type)) {
          ctx.addIssue({ code: 'custom', message: `unknown job type "${type}" (known: ${jobTypes.join(', ')}; or all types: on, off)` });
        } else if (switched !== 'on' && switched !== 'off') {
          ctx.addIssue({ code: 'custom', message: `${type} must be on or off, got "${switched}"` });
        } else {
          result[type] = switched === 'on';
        }
      }
      return result;
    })
    .pipe(z.record(z.string(), z.boolean()));
}

/** Whether each type is fair: the catalog's `fair`, or QUEUE_FAIRNESS where it names the type. */
export function fairTypes(overrides: Readonly<Record<string, boolean>> = {}): Record<JobType, boolean> {
  return Object.fromEntries(jobTypes.map((type) => [type, overrides[type] ?? catalog[type].fair])) as Record<JobType, boolean>;
}
