import type { JobType } from '@floodgate/shared/jobs';
import { HttpError, redisMemoryHigh } from '../errors';
import type { BacklogGauge } from './backlog-gauge';
import type { ClientRateLimiter, RateDecision } from './client-rate-limiter';
import type { EventLoopGuard } from './event-loop-guard';
import type { RedisMemoryGuard } from './redis-memory-guard';

export interface AdmissionDeps {
  eventLoop: Pick<EventLoopGuard, 'shedIfOverloaded'>;
  redisMemory: Pick<RedisMemoryGuard, 'fullPrimaryFor' | 'silentPrimaryFor'>;
  /** The Redis Cluster slot of a type's partition queue, so only the master holding it sheds its jobs. @defaultValue none: any full primary sheds every type */
  queueSlot?: (type: JobType, partition: number) => number | undefined;
  rateLimiter: ClientRateLimiter;
  backlog: BacklogGauge;
  /** Backlog cap per type (catalog, or API_BACKLOG_CAP). */
  backlogCaps: Record<JobType, number>;
}

/** Decides, before anything is enqueued, whether the system can take more jobs. */
export interface Admission {
  /**
   * This process's own overload (its event loop lags): checked by every
   * admitting route before its body is read, since parsing and validating
   * would only deepen the lag; the event-loop guard's own check, so the other
   * checks below do not repeat it.
   */
  shedIfOverloaded(): void;
  /**
   * Everything else (Redis memory where `partition` lives, rate per client,
   * backlog per type), once the request is known to be valid.
   */
  admit(type: JobType, client: string, count?: number, partition?: number): Promise<void>;
  /**
   * The same for one job: concurrent calls share their rate-limit round trip
   * (the hot path of single enqueues under load).
   */
  admitOne(type: JobType, client: string, partition?: number): Promise<void>;
  /**
   * Whether the primary holding this partition of `type` is nearly full, or
   * did not answer its last memory reading: new plain jobs then go to another
   * partition, so a partitioned type keeps taking jobs while one primary fills
   * up or fails over.
   */
  avoidPartition(type: JobType, partition: number): boolean;
  /** 503 `redis_memory_high` naming the primary when the one holding this partition is nearly full (a bulk's keyed items each check their own). */
  refuseWhenRedisFull(type: JobType, partition: number): void;
  /** Gives back rate tokens taken by requests that stored nothing (a refusal after admission, a repeat, a conflict). */
  refund(type: JobType, client: string, count: number): void;
}

/**
 * Admission control, cheapest check first; the first that says no throws an HttpError with its code and a `Retry-After`
 * (table in docs/operations.md, "Overload protection"). The rate check runs last, as the only one that spends tokens.
 */
export function createAdmission(deps: AdmissionDeps): Admission {
  const fullPrimaryFor = (type: JobType, partition: number) => deps.redisMemory.fullPrimaryFor(deps.queueSlot?.(type, partition));
  const refuseWhenRedisFull = (type: JobType, partition: number) => {
    const full = fullPrimaryFor(type, partition);
    if (full) throw redisMemoryHigh({ primary: full.primary, usedBytes: full.usedBytes, maxBytes: full.maxBytes });
  };
  const refuseWhenLimited = (type: JobType, rate: RateDecision) => {
    if (!rate.allowed) {
      const seconds = Math.max(1, Math.ceil(rate.retryAfterMs / 1_000));
      throw new HttpError('rate_limited', `Too many ${type} jobs from this client; retry in ${seconds} s.`, {
        headers: { 'Retry-After': String(seconds) },
      });
    }
  };
  const refuseWhenFull = async (type: JobType, count: number) => {
    const backlog = await deps.backlog.backlog(type);
    const cap = deps.backlogCaps[type];
    if (backlog + count > cap) {
      throw new HttpError('queue_full', `The ${type} queue is full (${backlog} jobs waiting, cap ${cap}); retry later.`, {
        details: { backlog, cap },
        headers: { 'Retry-After': '5' },
      });
    }
  };
  const admit = async (type: JobType, client: string, count = 1, partition = 0) => {
    refuseWhenRedisFull(type, partition);
    const capacity = deps.rateLimiter.capacity(type);
    if (count > capacity) {
      // No wait would ever make room: say so instead of a Retry-After that cannot work.
      throw new HttpError('too_many_jobs', `At most ${capacity} ${type} jobs fit one client's rate allowance; send smaller batches.`, {
        details: { max: capacity, count },
      });
    }
    await refuseWhenFull(type, count);
    refuseWhenLimited(type, await deps.rateLimiter.take(type, client, count));
  };
  const admitOne = async (type: JobType, client: string, partition = 0) => {
    refuseWhenRedisFull(type, partition);
    await refuseWhenFull(type, 1);
    refuseWhenLimited(type, await deps.rateLimiter.takeOne(type, client));
  };
  const avoidPartition = (type: JobType, partition: number) => {
    const slot = deps.queueSlot?.(type, partition);
    return deps.redisMemory.fullPrimaryFor(slot) !== undefined || (slot !== undefined && deps.redisMemory.silentPrimaryFor(slot));
  };
  const refund = (type: JobType, client: string, count: number) => deps.rateLimiter.refund(type, client, count);
  return { shedIfOverloaded: deps.eventLoop.shedIfOverloaded, admit, admitOne, avoidPartition, refuseWhenRedisFull, refund };
}
