import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../redis/create-redis';
import { fairKeys, type FairKeys, type QueueKeysOf } from '../redis/keys';
import { runFairScript } from './fair-scripts';
import type { Tenant } from './tenant';

/** A job of a fair type as its add script takes it: what BullMQ would store, and whose it is. */
export interface FairJob {
  id: string;
  /** BullMQ's job name (floodgate uses the type). */
  name: string;
  /** The payload as JSON. */
  data: string;
  /** The options as JSON, as BullMQ stores them. */
  opts: string;
  timestamp: number;
  delayMs: number;
  priority: number;
  tenant: Tenant;
  /** The tenant's weight (its key's). */
  weight: number;
  /** The tenant's backlog cap in this partition; 0 for none. */
  backlogCap: number;
  /**
   * An idempotent add's record, written beside the job in the same step: a
   * digest of what was asked, whose request it was, and how long the record
   * outlives the job; `nonce` is unique to this request, so a resend of the
   * same call (by ioredis, after a dropped connection) is told it added the
   * job rather than that it was asked for before. @defaultValue none: not idempotent
   */
  record?: { digest: string; owner: string; ttlSeconds: number; nonce: string } | undefined;
}

/** The add script's answer. Only `added` stored anything. */
export type FairAddReply =
  | { outcome: 'added'; id: string }
  /** A record says this id was asked for before: with this digest, by this owner. */
  | { outcome: 'asked-before'; digest: string; owner: string; nonce: string }
  /** A job with this id exists, without a record (added by another way). */
  | { outcome: 'exists' }
  | { outcome: 'tenant_queue_full'; backlog: number };

/** What a worker tells its partition in one settle call. */
export interface SettleBatch {
  now: number;
  /** Jobs finished for good (completed, or failed with no retry left). */
  finished: Array<{ id: string; tenant: string }>;
  /** Jobs that failed and that BullMQ moved to delayed for a retry. */
  retrying: Array<{ id: string; tenant: Tenant }>;
  /** Waits to start of jobs that started, in ms, by tenant. */
  waits: ReadonlyMap<string, readonly number[]>;
}

/** The states a job waiting for its tenant's turn is reported in, as BullMQ would report it. */
export type HeldState = 'waiting' | 'prioritized' | 'delayed';

/** One partition queue's fairness operations (the scripts), on the queue's own connection. */
export interface FairPartition {
  readonly keys: FairKeys;
  /** Adds a job. */
  add(job: FairJob): Promise<FairAddReply>;
  /**
   * Queues the add of a job on `pipeline`, a pipeline of the same connection
   * made after `defineFairScripts`; `addReply` reads its reply.
   */
  queueAdd(job: FairJob, pipeline: ChainableCommander): void;
  addReply(raw: unknown): FairAddReply;
  settle(batch: SettleBatch): Promise<{ moved: number; nextDueAt: number | undefined }>;
  /** A worker's share here: its slots, or more for short jobs (0: it leaves); `cap` is the tenant concurrency here (0: none). Returns the new target. */
  register(workerId: string, share: number, ttlMs: number, cap: number): Promise<number>;
  /** Moves a job that started without its tenant's turn back into its lane. */
  adopt(id: string, token: string, tenant: Tenant): Promise<number>;
  /** Clears a removed job from its tenant's lane, due set and slots. */
  forget(id: string, tenant: Tenant): Promise<boolean>;
  pauseTenant(tenant: string, paused: boolean): Promise<boolean>;
  reconcile(slice: number): Promise<{ freed: number; checked: number }>;
  /** Ids waiting for their tenant's turn in `state`, from `offset`. */
  held(state: HeldState, offset: number, count: number): Promise<string[]>;
}

const partitions = new WeakMap<QueueKeysOf, FairPartition>();

/** The fairness operations of `queue`, a partition queue opened on `redis`. */
export function fairPartition(redis: RedisClient, queue: QueueKeysOf): FairPartition {
  let partition = partitions.get(queue);
  if (!partition) {
    partition = createFairPartition(redis, queue);
    partitions.set(queue, partition);
  }
  return partition;
}

function createFairPartition(redis: RedisClient, queue: QueueKeysOf): FairPartition {
  const keys = fairKeys(queue);
  const q = queue.keys;
  const addReply = (raw: unknown): FairAddReply => {
    if (!Array.isArray(raw)) return { outcome: 'added', id: String(raw) };
    if (raw[0] === -20) return { outcome: 'asked-before', digest: String(raw[1]), owner: String(raw[2]), nonce: String(raw[3] ?? '') };
    if (raw[0] === -21) return { outcome: 'exists' };
    return { outcome: 'tenant_queue_full', backlog: Number(raw[1]) };
  };
  const addArgs = (job: FairJob) => [
    keys.meta,
    q.events!,
    q.wait!,
    q.active!,
    q.marker!,
    q.meta!,
    keys.base,
    job.id,
    job.name,
    job.data,
    job.opts,
    job.timestamp,
    job.delayMs,
    job.priority,
    job.tenant.id,
    job.tenant.group,
    job.weight,
    job.backlogCap,
    job.record?.digest ?? '',
    job.record?.ttlSeconds ?? 0,
    job.record?.owner ?? '',
    job.record?.nonce ?? '',
  ];
  return {
    keys,
    addReply,
    add: async (job) => addReply(await runFairScript(redis, 'add', addArgs(job))),
    queueAdd(job, pipeline) {
      void runFairScript(redis, 'add', addArgs(job), pipeline);
    },
    async settle(batch) {
      const args: Array<string | number> = [keys.base, batch.now, batch.finished.length, batch.retrying.length, batch.waits.size];
      for (const { id, tenant } of batch.finished) args.push(id, tenant);
      for (const { id, tenant } of batch.retrying) args.push(id, tenant.id, tenant.group);
      for (const [tenant, waits] of batch.waits) args.push(tenant, waits.length, ...waits);
      const [moved, nextDue] = (await runFairScript(redis, 'settle', [keys.meta, q.wait!, q.active!, q.marker!, q.meta!, q.delayed!, ...args])) as [number, number];
      return { moved, nextDueAt: nextDue < 0 ? undefined : nextDue };
    },
    async register(workerId, share, ttlMs, cap) {
      const now = Date.now();
      return Number(await runFairScript(redis, 'register', [keys.meta, keys.base, workerId, share, now + ttlMs, now, cap]));
    },
    async adopt(id, token, tenant) {
      return Number(await runFairScript(redis, 'adopt', [keys.meta, q.active!, q.stalled!, q.wait!, q.marker!, q.meta!, keys.base, id, token, tenant.id, tenant.group]));
    },
    async forget(id, tenant) {
      return Number(await runFairScript(redis, 'forget', [keys.meta, keys.base, id, tenant.id, tenant.group])) === 1;
    },
    async pauseTenant(tenant, paused) {
      return Number(await runFairScript(redis, 'pause', [keys.meta, q.wait!, q.active!, q.marker!, q.meta!, keys.base, tenant, paused ? 1 : 0])) === 1;
    },
    async reconcile(slice) {
      const [freed, checked] = (await runFairScript(redis, 'reconcile', [keys.meta, keys.base, slice])) as [number, number];
      return { freed, checked };
    },
    async held(state, offset, count) {
      return (await runFairScript(redis, 'held', [keys.meta, keys.base, state, offset, count])) as string[];
    },
  };
}
