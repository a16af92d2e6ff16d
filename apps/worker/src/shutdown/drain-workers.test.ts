import type { ComputePayload } from '@floodgate/shared/jobs';
import { waitFor } from '@floodgate/testkit';
import { describe, expect } from 'vitest';
import { defineHandler } from '../running/define-handler';
import { dictionaryChecksum } from '../job-functions/compute';
import { harnessTest as it } from '../testing/harness-test';

/** A promise plus the function that resolves it. */
function latch<T = void>() {
  let open!: (value: T) => void;
  const opened = new Promise<T>((resolve) => (open = resolve));
  return { open, opened };
}

describe('close(graceMs)', () => {
  it('stops taking jobs, lets the active one complete, then resolves', async ({ harness, prefix, handlers, workers }) => {
    const started = latch();
    const release = latch();
    const gatedCompute = defineHandler('compute', async (payload: ComputePayload) => {
      started.open();
      await release.opened;
      return dictionaryChecksum(payload);
    });
    const running = workers({ handlers: { ...handlers, compute: gatedCompute }, types: ['compute'] });
    const [worker] = running.workers;
    const active = await harness.add(prefix, 'compute', { n: 2, m: 10 });
    await started.opened;

    let closed = false;
    const closing = running.close(10_000).then(() => (closed = true));
    // Paused, and its blocking wait for the next job dropped: a job added now must stay waiting.
    await waitFor(async () => worker?.isPaused() && !String(await harness.connection.call('CLIENT', 'LIST')).includes(' flags=b '), {
      description: 'the worker to stop taking jobs',
    });
    const late = await harness.add(prefix, 'compute', { n: 2, m: 10 });
    expect(closed).toBe(false);

    release.open();
    await closing;
    const finished = await harness.settled(active);
    expect(finished.finishedOn).toBeDefined();
    expect(await finished.getState()).toBe('completed');
    expect(finished.returnvalue).toEqual(dictionaryChecksum({ n: 2, m: 10 }));
    expect(await late.getState()).toBe('waiting');
  });

  it('past the grace period, aborts the active job and hands it back without spending an attempt, even its last', async ({ harness, prefix, handlers, workers }) => {
    const started = latch();
    const aborted = latch<unknown>();
    const stuckCompute = defineHandler('compute', async (_payload, ctx) => {
      ctx.signal.addEventListener('abort', () => aborted.open(ctx.signal.reason));
      started.open();
      return new Promise<never>(() => undefined);
    });
    const running = workers({ handlers: { ...handlers, compute: stuckCompute }, types: ['compute'] });
    const job = await harness.add(prefix, 'compute', { n: 2, m: 10 }, { attempts: 1 });
    await started.opened;

    await running.close(200);
    expect(String(await aborted.opened)).toMatch(/job_cancelled/);
    await waitFor(() => running.workers.every((worker) => !worker.isRunning()), { description: 'the worker loop to end' });
    expect(await job.getState()).toBe('waiting');
    // `atm` is BullMQ's attemptsMade: absent until an attempt is spent.
    expect(await harness.connection.hget(`${job.queueQualifiedName}:${job.id}`, 'atm')).toBeNull();

    // The next worker (the new process of a deploy) runs it to completion on that same, only attempt.
    const next = workers({ types: ['compute'] });
    try {
      const finished = await harness.settled(job);
      expect(await finished.getState()).toBe('completed');
      expect(finished.returnvalue).toEqual(dictionaryChecksum({ n: 2, m: 10 }));
      expect(finished.attemptsMade).toBe(1);
    } finally {
      await next.close(5_000);
    }
  });
});
