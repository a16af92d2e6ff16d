import type { JobType } from '@floodgate/shared/jobs';
import type { JobQueues } from '@floodgate/shared/queues';
import type { Logger } from '@floodgate/shared/logger';
import { bullQueueKeys, withinDeadline, type RedisClient } from '@floodgate/shared/redis';
import { QueueEvents } from 'bullmq';

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
   * the returned function is called, and `onRelease` once if {@link release}
   * comes first. For Server-Sent Events.
   */
  watch(type: JobType, id: string, onEvent: (event: JobEvent) => void, onRelease: () => void): Promise<() => void>;
  /**
   * Ends every wait now (each request answers with its job as it is: 202 and
   * its id) and every watch; waits from here on end at once. The first step
   * of a shutdown: a waiting request must get its job's id before the server's
   * grace runs out, not a reset connection.
   */
  release(): void;
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

/** One Server-Sent Events stream's callbacks. */
interface Watcher {
  onEvent: (event: JobEvent) => void;
  onRelease: () => void;
}

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
  const watchers = new Map<string, Set<Watcher>>();
  let released = false;
  const tell = (type: JobType, jobId: string, event: JobEvent) => {
    for (const watcher of watchers.get(`${type}/${jobId}`) ?? []) watcher.onEvent(event);
  };
  const subscribers = new Map<string, Promise<QueueEvents>>();
  // Woken a slice per event-loop turn: thousands finishing at once would otherwise hold the loop for half a second.
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
    let opened = subscribers.get(queue.name);
    if (!opened) {
      opened = openSubscriber(type, queue);
      subscribers.set(queue.name, opened);
      // A failed open is tried again by the next waiter.
      opened.catch(() => subscribers.get(queue.name) === opened && subscribers.delete(queue.name));
    }
    await (await opened).waitUntilReady();
  };
  const openSubscriber = async (type: JobType, queue: Awaited<ReturnType<JobQueues[JobType]['locate']>>) => {
    const { name, opts: { prefix } } = queue;
    // From the stream's last entry now, not `$` at the first XREAD a round trip later: an event in between would be missed.
    const stream = bullQueueKeys({ name, prefix: prefix ?? 'bull' }).events ?? '';
    const [last] = await options.connection.xrevrange(stream, '+', '-', 'COUNT', 1);
    // QueueEvents blocks on XREAD, so BullMQ gives it a duplicate of the connection of its own.
    const events = new QueueEvents(name, { prefix, connection: options.connection, lastEventId: last?.[0] ?? '0-0' });
    events.on('error', (err) => options.logger.warn({ err, type }, 'queue events subscriber error'));
    const ended = (jobId: string, final: FinalEvent) => {
      tell(type, jobId, final);
      wake(type, jobId, final);
    };
    events.on('completed', (event) => ended(event.jobId, { event: 'completed', returnvalue: event.returnvalue }));
    events.on('failed', (event) => ended(event.jobId, { event: 'failed', failedReason: event.failedReason }));
    events.on('progress', (event) => tell(type, event.jobId, { event: 'progress', data: event.data }));
    return events;
  };

  /** Subscribes, waiting at most `ms`: past that the caller goes on (a late subscriber still catches later events). */
  const subscribedWithin = (type: JobType, id: string, ms: number) =>
    withinDeadline(subscribe(type, id), ms, () => SUBSCRIBE_SLOW).catch((err: unknown) => {
      if (err !== SUBSCRIBE_SLOW) throw err;
    });

  const release = () => {
    released = true;
    for (const done of [...waiters.values()].flatMap((set) => [...set])) done();
    const watching = [...watchers.values()].flatMap((set) => [...set]);
    watchers.clear();
    for (const watcher of watching) watcher.onRelease();
  };

  return {
    async wait(type, id, timeoutMs, isFinished, signal) {
      if (released) return undefined;
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
        // Released while subscribing: nothing would wake this waiter but its timer.
        if (released) return stop();
        const timer = setTimeout(stop, timeoutMs);
        signal.addEventListener('abort', stop, { once: true });
        set.add(done);
        isFinished().then(
          (finished) => finished && done(),
          () => done(),
        );
      });
    },
    async watch(type, id, onEvent, onRelease) {
      if (!released) await subscribedWithin(type, id, 5_000);
      if (released) {
        onRelease();
        return () => undefined;
      }
      const key = `${type}/${id}`;
      let set = watchers.get(key);
      if (!set) watchers.set(key, (set = new Set()));
      const watcher: Watcher = { onEvent, onRelease };
      set.add(watcher);
      return () => {
        set.delete(watcher);
        if (set.size === 0 && watchers.get(key) === set) watchers.delete(key);
      };
    },
    release,
    async close() {
      release();
      await Promise.allSettled([...subscribers.values()].map(async (events) => (await events).close()));
    },
  };
}
