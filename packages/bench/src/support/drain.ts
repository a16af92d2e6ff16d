import type { Queue } from 'bullmq';

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
