import type { CpuPool } from '../cpu-pool/cpu-pool';
import { defineBatchHandler } from '../define-handler';

/**
 * Scores texts with AFINN-165 on the pool, a whole batch per task (catalog
 * `batch`): the hop to a thread and back costs more than a short text's scoring.
 * The task stops only when every job of the batch has stopped waiting for it.
 */
export function createSentimentHandler(pool: CpuPool) {
  return defineBatchHandler('sentiment', async (items, batch) => {
    const results = await pool.run(
      'sentiment',
      items.map((item) => item.data),
      batch.signal,
    );
    return results.map((result) => ({ ok: true as const, result }));
  });
}
