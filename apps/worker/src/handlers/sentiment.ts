import type { CpuPool } from '../cpu-pool/cpu-pool';
import { defineHandler } from '../define-handler';

/** Scores a text with AFINN-165, on the pool (up to 20 000 characters of tokenizing per job). */
export function createSentimentHandler(pool: CpuPool) {
  return defineHandler('sentiment', (payload, ctx) => pool.run('sentiment', payload, ctx.signal));
}
