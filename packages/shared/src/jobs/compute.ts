import { z } from 'zod';
import { defineJob } from './define-job';

/** Upper bound on `n * m`, the dictionary writes one compute job performs (~1-2 s of CPU). */
export const COMPUTE_MAX_OPERATIONS = 20_000_000;

export const ComputePayload = z
  .strictObject({
    /** How many times the dictionary is rebuilt. */
    n: z.number().int().min(1).max(10_000),
    /** How many keys each dictionary gets. */
    m: z.number().int().min(1).max(1_000_000),
  })
  .refine((p) => p.n * p.m <= COMPUTE_MAX_OPERATIONS, {
    message: `n * m must be at most ${COMPUTE_MAX_OPERATIONS}`,
    path: ['n'],
  });
export type ComputePayload = z.infer<typeof ComputePayload>;

export const ComputeResult = z.object({
  /** FNV-1a over every value read back, as 8 hex digits: equal inputs give equal checksums. */
  checksum: z.string(),
  /** Dictionary writes performed (`n * m`). */
  operations: z.number().int(),
  n: z.number().int(),
  m: z.number().int(),
});
export type ComputeResult = z.infer<typeof ComputeResult>;

export const computeJob = defineJob({
  type: 'compute',
  description: 'Deterministic CPU work: builds a dictionary of m keys n times and returns a checksum.',
  payload: ComputePayload,
  result: ComputeResult,
  concurrency: 2,
  cpuBound: true,
  timeoutMs: 30_000,
  attempts: 2,
});
