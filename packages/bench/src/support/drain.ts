import { heldJobCounts } from '@floodgate/shared/fairness';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** Resolves once `queue` has `total` completed jobs (polling its counts), or rejects after `timeoutMs`. */
export async function waitForCompleted(queue: Queue, total: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { completed = 0, failed = 0 } = await queue.getJobCounts('completed', 'failed');
    if (failed > 0) throw new Error(`${failed} ${queue.name} jobs failed during the benchmark`);
    if (completed >= total) return;
    if (Date.now() > deadline) throw new Error(`only ${completed}/${total} ${queue.name} jobs completed within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Adds `count` jobs in batches of 1,000 with `addBulk`. */
export async function fill(queue: Queue, count: number, data: (i: number) => unknown, opts: object = {}): Promise<void> {
  for (let start = 0; start < count; start += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, count - start) }, (_, i) => ({ name: queue.name, data: data(start + i), opts }));
    await queue.addBulk(batch);
  }
}

/**
 * Resolves once `queue` has nothing left to run (waiting, active, delayed,
 * prioritized, and the jobs waiting for their tenant's turn in fairness lanes,
 * which BullMQ does not count); rejects when a job failed, or after `timeoutMs`.
 */
export async function waitUntilDrained(connection: Redis, queue: Queue, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [counts, held] = await Promise.all([queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed'), heldJobCounts(connection, queue)]);
    if ((counts.failed ?? 0) > 0) throw new Error(`${counts.failed} ${queue.name} jobs failed during the benchmark`);
    if ([...Object.values(counts), ...Object.values(held)].every((n) => n === 0)) return;
    if (Date.now() > deadline) throw new Error(`${queue.name} did not drain within ${timeoutMs} ms: ${JSON.stringify({ ...counts, held })}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
