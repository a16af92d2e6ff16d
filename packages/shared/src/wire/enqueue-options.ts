import { z } from 'zod';
import { GroupName } from '../fairness/tenant';
import type { JobDefinition } from '../jobs/define-job';

/** Longest delay a job may be enqueued with: 30 days. */
export const MAX_DELAY_MS = 30 * 24 * 3_600_000;
/** Shortest attempt time limit a job may ask for: below it, nothing useful finishes. */
export const MIN_TIMEOUT_MS = 100;
/** Most attempts a job may ask for, the first included. */
export const MAX_ATTEMPTS = 25;
/** Longest retry delay a job may ask for: 1 hour. */
export const MAX_BACKOFF_DELAY_MS = 3_600_000;
/** Lowest priority (BullMQ's limit, 2^21); 1 is the highest. */
export const LOWEST_PRIORITY = 2_097_152;

/** How long to wait before each retry. */
export const Backoff = z.strictObject({
  type: z.enum(['fixed', 'exponential']).describe('`fixed`: `delayMs` every time; `exponential`: `delayMs * 2^(retry - 1)`.'),
  delayMs: z.number().int().min(0).max(MAX_BACKOFF_DELAY_MS).describe('Up to 1 hour.'),
  jitter: z.number().min(0).max(1).optional().describe('Share (0..1) of each delay taken off at random, so jobs that failed together do not retry together.'),
});
export type Backoff = z.output<typeof Backoff>;

/** The options every job type takes. */
const commonOptions = {
  delayMs: z.number().int().min(0).max(MAX_DELAY_MS).optional().describe('Run no earlier than this many milliseconds from now (up to 30 days).'),
  priority: z.number().int().min(1).max(LOWEST_PRIORITY).optional().describe("1 is the highest; jobs without a priority go before all prioritized ones (BullMQ's rule)."),
  attempts: z.number().int().min(1).max(MAX_ATTEMPTS).optional().describe('Attempts in total, the first included (1..25).'),
  backoff: Backoff.optional(),
  group: GroupName.optional().describe(
    "The group within the caller's share of a fair type (the customer it enqueues for): the key's groups take turns inside the key's own share. 1-64 of letters, digits and `_ . : @ -`; the key's default group when absent.",
  ),
};

/** Any type's enqueue options, with the longest attempt limit any type allows (the client's view). */
export const EnqueueOptions = z.strictObject({
  ...commonOptions,
  timeoutMs: z.number().int().min(MIN_TIMEOUT_MS).optional().describe("Time one attempt may take: 100 ms up to the type's own limit."),
});
export type EnqueueOptions = z.output<typeof EnqueueOptions>;

/**
 * What a producer may set per job of one type, on top of the type's catalog
 * options. Every field is bounded: a negative, fractional or huge value is a
 * 422, not a job that never runs or retries forever. `timeoutMs` may shorten
 * the type's attempt limit, never lengthen it.
 */
export function enqueueOptionsFor(definition: Pick<JobDefinition, 'type' | 'timeoutMs'>) {
  return EnqueueOptions.extend({
    timeoutMs: z
      .number()
      .int()
      .min(MIN_TIMEOUT_MS)
      .max(definition.timeoutMs, { message: `${definition.type} attempts may take at most ${definition.timeoutMs} ms` })
      .optional(),
  });
}
