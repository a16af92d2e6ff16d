import { withAttemptTimeout, type JobDefinition } from '@floodgate/shared/jobs';
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

/** Longest delay a job may be enqueued with: 30 days. */
const MAX_DELAY_MS = 30 * 24 * 3_600_000;

/** Shortest attempt time limit a job may ask for: below it, nothing useful finishes. */
const MIN_TIMEOUT_MS = 100;

/** The options every job type takes. */
const commonOptions = {
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
};

/**
 * What a producer may set per job of one type, on top of the type's catalog
 * options. Every field is bounded: a negative, fractional or huge value is a
 * 422, not a job that never runs or retries forever. `timeoutMs` may shorten
 * the type's attempt limit, never lengthen it.
 */
export function enqueueOptionsFor(definition: JobDefinition) {
  return z.strictObject({
    ...commonOptions,
    /** Time one attempt may take, at most the type's own `timeoutMs`. */
    timeoutMs: z
      .number()
      .int()
      .min(MIN_TIMEOUT_MS)
      .max(definition.timeoutMs, { message: `${definition.type} attempts may take at most ${definition.timeoutMs} ms` })
      .optional(),
  });
}

export type EnqueueOptions = z.infer<ReturnType<typeof enqueueOptionsFor>>;

/** The BullMQ options of one job: the type's, with the producer's on top. */
export function bullOptions(base: JobsOptions, options: EnqueueOptions | undefined): JobsOptions {
  if (!options) return base;
  const merged: JobsOptions = {
    ...base,
    ...(options.delayMs === undefined ? {} : { delay: options.delayMs }),
    ...(options.priority === undefined ? {} : { priority: options.priority }),
    ...(options.attempts === undefined ? {} : { attempts: options.attempts }),
    ...(options.backoff === undefined
      ? {}
      : { backoff: { type: options.backoff.type, delay: options.backoff.delayMs, jitter: options.backoff.jitter ?? 0 } }),
  };
  return options.timeoutMs === undefined ? merged : withAttemptTimeout(merged, options.timeoutMs);
}

/** The state a freshly added job is in, from its options. */
export function initialState(options: EnqueueOptions | undefined): 'waiting' | 'delayed' | 'prioritized' {
  if (options?.delayMs) return 'delayed';
  if (options?.priority) return 'prioritized';
  return 'waiting';
}

