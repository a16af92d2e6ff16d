import { setImmediate as nextTick } from 'node:timers/promises';
import { defineHandler } from '../define-handler';
import { transientFailure } from '../job-errors';
import { dictionaryRounds } from './compute/dictionary-checksum';

/**
 * Longest stretch the loop runs before yielding to the event loop. BullMQ renews
 * job locks and our timeout fires on that loop: a CPU loop that never yields
 * would lose its lock (the job "stalls") and could not be stopped.
 */
const YIELD_EVERY_MS = 20;

/** Deterministic CPU work; stops between rounds once the attempt is aborted. */
export const computeHandler = defineHandler('compute', async (payload, ctx) => {
  const rounds = dictionaryRounds(payload);
  let lastYield = Date.now();
  for (;;) {
    if (ctx.signal.aborted) {
      throw transientFailure('job_cancelled', 'compute stopped: the attempt was aborted', ctx.signal.reason);
    }
    const step = rounds.next();
    if (step.done) return step.value;
    if (Date.now() - lastYield >= YIELD_EVERY_MS) {
      await nextTick();
      lastYield = Date.now();
    }
  }
});
