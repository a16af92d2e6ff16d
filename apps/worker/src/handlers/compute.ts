import type { CpuPool } from '../cpu-pool/cpu-pool';
import { defineHandler } from '../define-handler';

/** Deterministic CPU work, on the pool: a timeout or cancel terminates its thread. */
export function createComputeHandler(pool: CpuPool) {
  return defineHandler('compute', (payload, ctx) => pool.run('compute', payload, ctx.signal));
}
