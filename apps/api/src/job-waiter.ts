import type { JobQueues, JobType } from '@floodgate/shared/jobs';
import type { Logger } from '@floodgate/shared/logger';
import { withinDeadline, type RedisClient } from '@floodgate/shared/redis';
import { QueueEvents } from 'bullmq';

/** Longest a request may wait for a job to finish (`?wait=` seconds). */
export const MAX_WAIT_SECONDS = 30;

export interface JobWaiter {
  /**
   * Resolves once the job has completed or failed, or after `timeoutMs`, or
   * when `signal` aborts (the client hung up). `isFinished` is checked after
   * the waiter is registered, so a job finishing in between is not missed.
   * Resolves with the final event when the events stream told of it: under a
   * flood, retention may remove the job before the waiter reads it again.
   */
  wait(type: JobType, id: string, timeoutMs: number, isFinished: () => Promise<boolean>, signal: AbortSignal): Promise<FinalEvent | undefined>;
  /**
   * Calls `onEvent` with the job's progress, completed and failed events until
   * the returned function is called. For Server-Sent Events.
   */
  watch(type: JobType, id: string, onEvent: (event: JobEvent) => void): Promise<() => void>;
  close(): Promise<void>;
}

/** Waiters woken per turn of the event loop. */
const WAKE_SLICE = 200;

/** How a subscription that took too long is told apart from one that failed. */
const SUBSCRIBE_SLOW = new Error('the events subscriber took too long to connect');

/** One thing that happened to a job, as the events stream tells it. */
export type JobEvent =
  | { event: 'progress'; data: unknown }
  | { event: 'completed'; returnvalue: unknown }
  | { event: 'failed'; failedReason: string };

/** How a job ended, as the events stream tells it. */
export type FinalEvent = Exclude<JobEvent, { event: 'progress' }>;

/**
 * Waiting for results without a Redis connection per request: one BullMQ
 * QueueEvents subscriber per queue (each partition of a type) in this process (opened on first use),
 * and an in-memory map of job id → waiting requests it wakes. Ten thousand
 * waiters cost ten thousand map entries and timers, not connections.
 */
export function createJobWaiter(options: {
  /** A `worker` connection (waits out outages); each subscriber blocks on a duplicate of it. */
  connection: RedisClient;
  /** Where each job lives: its events come from the partition queue its id names. */
  queues: JobQueues;
  logger: Logger;
}): JobWaiter {
  const waiters = new Map<string, Set<(final?: FinalEvent) => void>>();
  const watchers = new Map<string, Set<(event: JobEvent) => void>>();
  const tell = (type: JobType, jobId: string, event: JobEvent) => {
    for (const onEvent of watchers.get(`${type}/${jobId}`) ?? []) onEvent(event);
  };
  const subscribers = new Map<string, QueueEvents>();
  // Waiters are woken a slice per turn of the event loop: thousands of jobs finishing at once (a
  // batch type finishes 32 together) would otherwise wake thousands of requests in one turn, each
  // reading its job and answering, and hold the loop (health checks, new requests) for half a second.
  const woken: Array<() => void> = [];
  let waking = false;
  const wakeSlice = () => {
    for (const done of woken.splice(0, WAKE_SLICE)) done();
    if (woken.length > 0) setImmediate(wakeSlice);
    else waking = false;
  };
  const wake = (type: JobType, jobId: string, final: FinalEvent) => {
    for (const done of waiters.get(`${type}/${jobId}`) ?? []) woken.push(() => done(final));
    if (!waking && woken.length > 0) {
      waking = true;
      setImmediate(wakeSlice);
    }
  };
  const subscribe = async (type: JobType, id: string) => {
    const queue = await options.queues[type].locate(id);
    let events = subscribers.get(queue.name);
    if (!events) {
      const { name, opts: { prefix } } = queue;
      // QueueEvents blocks on XREAD, so BullMQ gives it a duplicate of the connection of its own.
      events = new QueueEvents(name, { prefix, connection: options.connection });
      events.on('error', (err) => options.logger.warn({ err, type }, 'queue events subscriber error'));
      const ended = (jobId: string, final: FinalEvent) => {
        tell(type, jobId, final);
        wake(type, jobId, final);
      };
      events.on('completed', (event) => ended(event.jobId, { event: 'completed', returnvalue: event.returnvalue }));
      events.on('failed', (event) => ended(event.jobId, { event: 'failed', failedReason: event.failedReason }));
      events.on('progress', (event) => tell(type, event.jobId, { event: 'progress', data: event.data }));
      subscribers.set(name, events);
    }
    await events.waitUntilReady();
  };

  /** Subscribes, waiting at most `ms`: past that the caller goes on (a late subscriber still catches later events). */
  const subscribedWithin = (type: JobType, id: string, ms: number) =>
    withinDeadline(subscribe(type, id), ms, () => SUBSCRIBE_SLOW).catch((err: unknown) => {
      if (err !== SUBSCRIBE_SLOW) throw err;
    });

  return {
    async wait(type, id, timeoutMs, isFinished, signal) {
      // Bounded: a subscriber that cannot connect must not hold the request past its wait.
      await subscribedWithin(type, id, Math.min(timeoutMs, 5_000));
      const key = `${type}/${id}`;
      return new Promise<FinalEvent | undefined>((resolve) => {
        let set = waiters.get(key);
        if (!set) waiters.set(key, (set = new Set()));
        let settled = false;
        const done = (final?: FinalEvent) => {
          // The timer, the abort and isFinished can each settle this waiter; only the first counts.
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          signal.removeEventListener('abort', stop);
          set.delete(done);
          // A newer waiter may have made a new set for this job since: never remove that one.
          if (set.size === 0 && waiters.get(key) === set) waiters.delete(key);
          resolve(final);
        };
        const stop = () => done();
        const timer = setTimeout(stop, timeoutMs);
        signal.addEventListener('abort', stop, { once: true });
        set.add(done);
        isFinished().then(
          (finished) => finished && done(),
          () => done(),
        );
      });
    },
    async watch(type, id, onEvent) {
      await subscribedWithin(type, id, 5_000);
      const key = `${type}/${id}`;
      let set = watchers.get(key);
      if (!set) watchers.set(key, (set = new Set()));
      set.add(onEvent);
      return () => {
        set.delete(onEvent);
        if (set.size === 0) watchers.delete(key);
      };
    },
    async close() {
      for (const done of [...waiters.values()].flatMap((set) => [...set])) done();
      await Promise.allSettled([...subscribers.values()].map((events) => events.close()));
    },
  };
}
