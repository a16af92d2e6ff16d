import type { JobsOptions } from 'bullmq';
import type { JobDefinition } from './define-job';

/**
 * Where a job's own attempt time limit is stored: a field of the job's BullMQ
 * options. BullMQ keeps option fields it does not know (they round-trip
 * through the job hash), and the name is ours so a future BullMQ option cannot
 * collide with it. The payload stays the caller's, untouched.
 */
const TIMEOUT_FIELD = 'floodgateTimeoutMs';

/** Options with a per-job attempt time limit set. */
export function withAttemptTimeout(options: JobsOptions, timeoutMs: number): JobsOptions {
  return { ...options, [TIMEOUT_FIELD]: timeoutMs } as JobsOptions;
}

/**
 * The time one attempt of this job may take: its own limit when it has a sane
 * one, never more than its type's (a job added straight to Redis cannot lift
 * the cap either).
 */
export function attemptTimeoutOf(definition: JobDefinition, options: JobsOptions | undefined): number {
  const own = (options as Record<string, unknown> | undefined)?.[TIMEOUT_FIELD];
  if (typeof own === 'number' && Number.isInteger(own) && own > 0) return Math.min(own, definition.timeoutMs);
  return definition.timeoutMs;
}
