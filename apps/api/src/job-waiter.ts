import { queueIdentity, type JobType } from '@floodgate/shared/jobs';
import type { Logger } from '@floodgate/shared/logger';
import { redisOptionsFromUrl } from '@floodgate/shared/redis';
import { QueueEvents } from 'bullmq';

/** Longest a request may wait for a job to finish (`?wait=` seconds). */
export const MAX_WAIT_SECONDS = 30;

export interface JobWaiter {
  /**
   * Resolves once the job has completed or failed, or after `timeoutMs`, or
   * when `signal` aborts (the client hung up). `isFinished` is checked after
   * the waiter is registered, so a job finishing in between is not missed.
   */
  wait(type: JobType, id: string, timeoutMs: number, isFinished: () => Promise<boolean>, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/**
 * Waiting for results without a Redis connection per request: one BullMQ
 * QueueEvents subscriber per job type in this process (opened on first use),
 * and an in-memory map of job id → waiting requests it wakes. Ten thousand
 * waiters cost ten thousand map entries and timers, not connections.
 */
export function createJobWaiter(options: { redisUrl: string; prefix: string; logger: Logger }): JobWaiter {
  const waiters = new Map<string, Set<() => void>>();
  const subscribers = new Map<JobType, QueueEvents>();
  const wake = ({ jobId }: { jobId: string }, type: JobType) => {
    const key = `${type}/${jobId}`;
    for (const done of waiters.get(key) ?? []) done();
  };
  const subscribe = async (type: JobType) => {
    let events = subscribers.get(type);
    if (!events) {
      const { name, prefix } = queueIdentity(type, options.prefix);
      // Connection options, not a client: QueueEvents blocks on XREAD, so it gets a connection of its own.
      events = new QueueEvents(name, { prefix, connection: { ...redisOptionsFromUrl(options.redisUrl), maxRetriesPerRequest: null } });
      events.on('error', (err) => options.logger.warn({ err, type }, 'queue events subscriber error'));
      events.on('completed', (event) => wake(event, type));
      events.on('failed', (event) => wake(event, type));
      subscribers.set(type, events);
    }
    await events.waitUntilReady();
  };

  return {
    async wait(type, id, timeoutMs, isFinished, signal) {
      // Bounded: a subscriber that cannot connect must not hold the request past its wait.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([subscribe(type), new Promise((resolve) => (timer = setTimeout(resolve, Math.min(timeoutMs, 5_000))))]);
      clearTimeout(timer);
      const key = `${type}/${id}`;
      await new Promise<void>((resolve) => {
        let set = waiters.get(key);
        if (!set) waiters.set(key, (set = new Set()));
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          set.delete(done);
          if (set.size === 0) waiters.delete(key);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        signal.addEventListener('abort', done, { once: true });
        set.add(done);
        isFinished().then(
          (finished) => finished && done(),
          () => done(),
        );
      });
    },
    async close() {
      for (const done of [...waiters.values()].flatMap((set) => [...set])) done();
      await Promise.allSettled([...subscribers.values()].map((events) => events.close()));
    },
  };
}
