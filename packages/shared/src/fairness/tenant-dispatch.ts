import type { Job } from 'bullmq';
import type { Logger } from '../logger';
import type { RedisClient } from '../redis/create-redis';
import type { QueueKeysOf } from '../redis/keys';
import { fairPartition, type SettleBatch } from './fair-partition';
import { tenantOfJob, type Tenant } from './tenant';

export interface TenantDispatchOptions {
  /** The worker's connection (the queue's). */
  redis: RedisClient;
  /** The partition queue this process consumes (its Queue or Worker). */
  queue: QueueKeysOf;
  /** This process, as the partition's worker registry names it (`host:pid:...`). */
  workerId: string;
  /** Jobs of this partition this process runs at once (its concurrency share; read at each renewal). */
  slots: () => number;
  /** The tenant concurrency share in this partition; 0 for none. */
  cap: number;
  logger: Logger;
  /** Longest the partition goes without a settle call when nothing happens (due jobs, repairs). @defaultValue 1000 */
  tickMs?: number;
  /**
   * Least time between two settle calls with news: the ends of a busy moment
   * go in one call rather than one each (the target, twice every process's
   * share, keeps workers fed meanwhile). @defaultValue 20
   */
  minGapMs?: number;
  /** How often this process renews its share in the registry (sooner when it grows); an entry lives three times this. @defaultValue 5000 */
  renewEveryMs?: number;
  /** How often the running slots are checked against the jobs' real states. @defaultValue 10000 */
  reconcileEveryMs?: number;
}

/**
 * A worker process's side of fair dispatch in one partition: it tells the
 * partition how many jobs it can take (renewed, so a dead process's slots
 * expire), reports each job that finished, will be retried or started, and
 * after each turn of the event loop with news (or each tick without) makes
 * one settle call that frees slots and moves the next jobs, in turn, to wait.
 */
export interface TenantDispatch {
  /** A job started: its wait to start is recorded for its tenant (first attempts only). */
  started(job: Job): void;
  /** A job finished for good: its running slot is freed. */
  finished(job: Job): void;
  /** A job failed and waits in BullMQ's delayed set for its retry: it goes back to its tenant's turn. */
  retrying(job: Job): void;
  /**
   * A job that started without its tenant's turn (a schedule's run): moved
   * back to its tenant's lane. True when it was (the processor must then let go of it).
   */
  adopt(job: Job, token: string | undefined): Promise<boolean>;
  /** Renews this process's slots now (its concurrency changed). */
  renew(): Promise<void>;
  /** Stops the timers, without a word to Redis (the Worker closed; its owner calls `stop`). */
  halt(): void;
  /** Stops the timers, settles what ended last and takes this process's slots out of the registry. */
  stop(): Promise<void>;
}

/** Most waits kept per tenant per settle call (the script pushes them in one LPUSH). */
const MAX_WAITS_PER_CALL = 100;

export function startTenantDispatch(options: TenantDispatchOptions): TenantDispatch {
  const fair = fairPartition(options.redis, options.queue);
  const tickMs = options.tickMs ?? 1_000;
  const minGapMs = options.minGapMs ?? 20;
  const renewEveryMs = options.renewEveryMs ?? 5_000;
  const logger = options.logger;
  let batch = emptyBatch();
  let settling: Promise<void> | undefined;
  let stopped = false;
  let tick: NodeJS.Timeout | undefined;

  // Jobs shorter than the gap between settle calls end faster than twice the slots are refilled: the share then follows
  // the jobs a settle call reports ended (on average since the last renewal), so the target, twice the share, holds a
  // call and a half's worth. A worker that used up its whole target in one call asks for half as much again.
  let ended = 0;
  let callsWithEnds = 0;
  let registered = 0;
  /** The share this process registers: its slots, or three quarters of the jobs a settle call reports ended when that is more. */
  const share = () => Math.max(1, options.slots(), Math.ceil((0.75 * ended) / Math.max(1, callsWithEnds)));

  let lastSettleAt = 0;
  let soon: NodeJS.Timeout | undefined;
  /** A settle call soon, for news: at once, or once `minGapMs` has passed since the last one. */
  const schedule = () => {
    if (stopped || soon || settling) return;
    soon = setTimeout(() => {
      soon = undefined;
      void settle();
    }, Math.max(0, lastSettleAt + minGapMs - Date.now()));
  };
  /** The next settle call when nothing happens: after a tick, or when the next due job is due. */
  const idleIn = (ms: number) => {
    if (stopped) return;
    clearTimeout(tick);
    tick = setTimeout(() => void settle(), ms);
    tick.unref();
  };

  const settle = async (): Promise<void> => {
    // One call at a time: news that arrives meanwhile goes in the next one (see the end of this one).
    if (settling) return;
    lastSettleAt = Date.now();
    const sent = batch;
    batch = emptyBatch();
    settling = (async () => {
      let nextIn = tickMs;
      try {
        const { nextDueAt } = await fair.settle({ ...sent, now: Date.now() });
        const ends = sent.finished.length + sent.retrying.length;
        if (ends > 0) {
          ended += ends;
          callsWithEnds++;
        }
        if (nextDueAt !== undefined) nextIn = Math.max(10, Math.min(tickMs, nextDueAt - Date.now()));
      } catch (err) {
        // Every part of a settle call is safe to repeat: keep the news for the next one.
        batch = mergeBatches(sent, batch);
        logger.warn({ err, queue: options.queue.name }, 'fair dispatch: settle failed; trying again');
      } finally {
        settling = undefined;
      }
      idleIn(nextIn);
      // Jobs ending faster than the share assumed: renew now rather than at the next renewal.
      if (!stopped && callsWithEnds >= 5 && share() >= 1.25 * registered) void renew();
      if (hasNews(batch)) schedule();
    })();
    return settling;
  };

  let renewing: Promise<void> | undefined;
  let renewTimer: NodeJS.Timeout | undefined;
  /** Registers the share now, one call at a time; the next renewal comes `renewEveryMs` after this one, not on a fixed beat. */
  const renew = (): Promise<void> =>
    (renewing ??= (async () => {
      clearTimeout(renewTimer);
      const next = share();
      ended = 0;
      callsWithEnds = 0;
      try {
        await fair.register(options.workerId, next, renewEveryMs * 3, options.cap);
        registered = next;
        schedule();
      } catch (err) {
        logger.warn({ err, queue: options.queue.name }, 'fair dispatch: could not renew this worker\'s slots; trying again');
      } finally {
        renewing = undefined;
        if (!stopped) {
          renewTimer = setTimeout(() => void renew(), renewEveryMs);
          renewTimer.unref();
        }
      }
    })());
  const reconcile = async () => {
    try {
      const { freed } = await fair.reconcile(200);
      if (freed > 0) logger.warn({ freed, queue: options.queue.name }, 'fair dispatch: freed running slots whose jobs had ended unseen');
    } catch (err) {
      logger.warn({ err, queue: options.queue.name }, 'fair dispatch: reconcile failed; trying again');
    }
  };

  void renew();
  const reconcileTimer = setInterval(() => void reconcile(), options.reconcileEveryMs ?? 10_000);
  reconcileTimer.unref();

  const halt = () => {
    stopped = true;
    clearTimeout(renewTimer);
    clearInterval(reconcileTimer);
    clearTimeout(tick);
    clearTimeout(soon);
  };

  return {
    started(job) {
      if (job.attemptsMade > 0 || job.processedOn === undefined) return;
      const from = job.timestamp + (job.opts.delay ?? 0);
      const waits = batch.waits.get(tenantOf(job).id);
      const wait = Math.max(0, job.processedOn - from);
      if (!waits) batch.waits.set(tenantOf(job).id, [wait]);
      else if (waits.length < MAX_WAITS_PER_CALL) waits.push(wait);
      schedule();
    },
    finished(job) {
      if (job.id === undefined) return;
      batch.finished.push({ id: job.id, tenant: tenantOf(job).id });
      schedule();
    },
    retrying(job) {
      if (job.id === undefined) return;
      batch.retrying.push({ id: job.id, tenant: tenantOf(job) });
      schedule();
    },
    async adopt(job, token) {
      if (job.id === undefined || token === undefined) return false;
      return (await fair.adopt(job.id, token, tenantOf(job))) === 1;
    },
    renew,
    halt,
    async stop() {
      halt();
      await Promise.all([settling, renewing]);
      // What finished last is settled now, and this process's slots leave the target.
      const last = batch;
      batch = emptyBatch();
      await fair.settle({ ...last, now: Date.now() }).catch(() => undefined);
      await fair.register(options.workerId, 0, 0, options.cap).catch(() => undefined);
    },
  };
}

function tenantOf(job: Job): Tenant {
  return tenantOfJob(job.opts);
}

type MutableBatch = Omit<SettleBatch, 'now' | 'waits'> & { waits: Map<string, number[]> };

function hasNews(batch: MutableBatch): boolean {
  return batch.finished.length > 0 || batch.retrying.length > 0 || batch.waits.size > 0;
}

function emptyBatch(): MutableBatch {
  return { finished: [], retrying: [], waits: new Map() };
}

function mergeBatches(older: MutableBatch, newer: MutableBatch): MutableBatch {
  const waits = new Map(older.waits);
  for (const [tenant, list] of newer.waits) waits.set(tenant, [...(waits.get(tenant) ?? []), ...list].slice(0, MAX_WAITS_PER_CALL));
  return { finished: [...older.finished, ...newer.finished], retrying: [...older.retrying, ...newer.retrying], waits };
}
