import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

/** Longest delay a job may be enqueued with: 30 days. */
const MAX_DELAY_MS = 30 * 24 * 3_600_000;

/**
 * What a producer may set per job, on top of its type's catalog options. Every
 * field is bounded: a negative, fractional or huge value is a 422, not a job
 * that never runs or retries forever.
 */
export const EnqueueOptions = z.strictObject({
  /** Run no earlier than this many milliseconds from now. */
  delayMs: z.number().int().min(0).max(MAX_DELAY_MS).optional(),
  /** 1 is the highest priority; jobs without one go before all prioritized jobs (BullMQ's rule). */
  priority: z.number().int().min(1).max(2_097_152).optional(),
  /** Attempts in total, the first included. */
  attempts: z.number().int().min(1).max(25).optional(),
  backoff: z
    .strictObject({
      type: z.enum(['fixed', 'exponential']),
      delayMs: z.number().int().min(0).max(3_600_000),
      jitter: z.number().min(0).max(1).optional(),
    })
    .optional(),
});
export type EnqueueOptions = z.infer<typeof EnqueueOptions>;

/** The BullMQ options of one job: the type's, with the producer's on top. */
export function bullOptions(base: JobsOptions, options: EnqueueOptions | undefined): JobsOptions {
  if (!options) return base;
  return {
    ...base,
    ...(options.delayMs === undefined ? {} : { delay: options.delayMs }),
    ...(options.priority === undefined ? {} : { priority: options.priority }),
    ...(options.attempts === undefined ? {} : { attempts: options.attempts }),
    ...(options.backoff === undefined
      ? {}
      : { backoff: { type: options.backoff.type, delay: options.backoff.delayMs, jitter: options.backoff.jitter ?? 0 } }),
  };
}

/** The state a freshly added job is in, from its options. */
export function initialState(options: EnqueueOptions | undefined): 'waiting' | 'delayed' | 'prioritized' {
  if (options?.delayMs) return 'delayed';
  if (options?.priority) return 'prioritized';
  return 'waiting';
}

