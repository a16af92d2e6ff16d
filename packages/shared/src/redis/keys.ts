import { QueueKeys, type Queue } from 'bullmq';
import { hashTagOf } from './key-slot';

/**
 * Every Redis key and channel name floodgate builds; no other file writes one, and every string is
 * byte-for-byte what earlier versions wrote (keys.test.ts pins both). Hash tags: docs/redis-topologies.md.
 */

/** What key names need of a BullMQ queue or worker (both name the same keys): its name, its key base and BullMQ's own keys. */
export type QueueKeysOf = Pick<Queue, 'name' | 'keys' | 'toKey'>;

/** The queue name and key prefix a BullMQ queue is opened with (a `QueueIdentity`). */
export interface QueueNaming {
  name: string;
  prefix: string;
}

// ---------------------------------------------------------------------------
// A queue's keys: BullMQ's own, and floodgate's under the queue's key base.

/** BullMQ's own keys (`<prefix>:<name>:wait`, `:active`, `:meta`, ...) of a queue not open here, from BullMQ's QueueKeys (a Queue's `keys` come from it too). Hash tag: the queue's. */
export function bullQueueKeys(naming: QueueNaming): Record<string, string> {
  return new QueueKeys(naming.prefix).getKeys(naming.name);
}

/** A queue's key base `<prefix>:<name>:`, which its jobs' and fairness keys start with (scripts get it as an argument). Hash tag: the queue's. */
export function queueKeyBase(queue: Pick<Queue, 'toKey'>): string {
  return queue.toKey('');
}

/** BullMQ's HASH of one job (`<prefix>:<name>:<id>`): its data, options and state. Hash tag: the queue's. */
export function jobKey(queue: Pick<Queue, 'toKey'>, id: string): string {
  return queue.toKey(id);
}

/** An idempotent request's record (`<prefix>:<name>:idem:<id>`, a HASH digest, owner, nonce; fair-add.lua writes it under the same name). Hash tag: the queue's. */
export function idempotencyRecordKey(queue: Pick<Queue, 'toKey'>, id: string): string {
  return `${queueKeyBase(queue)}idem:${id}`;
}

/**
 * The keys of one partition queue's fairness state (the list, with what each
 * holds, heads fair-lib.lua, whose scripts build the same names from the key
 * base). All sit under the queue's own key base (`<prefix>:<name>:fair:<suffix>`),
 * so its hash tag and slot.
 */
export interface FairKeys {
  /** The queue's key base, `<prefix>:<name>:`: a job's key is base + id. */
  readonly base: string;
  /** HASH: held jobs, virtual time, target, tenant concurrency, worker slots. */
  readonly meta: string;
  /** ZSET: tenants that may be served now, by pass. */
  readonly ready: string;
  /** ZSET: tenant → jobs waiting for it. */
  readonly backlog: string;
  /** ZSET: delayed jobs and retries, by when they are due. */
  readonly due: string;
  /** SET: tenants an operator paused. */
  readonly paused: string;
  /** SET: tenants with dispatched jobs not yet finished. */
  readonly running: string;
  /** ZSET: tenants whose jobs started in the last 10 minutes, by when. */
  readonly recent: string;
  /** SET: the running slots (dispatched job ids) of one tenant. */
  runningOf(tenant: string): string;
  /** LIST: one tenant's recent waits to start, in ms. */
  waitsOf(tenant: string): string;
  /** HASH: one tenant's own state, its weight and place in turn. */
  tenantOf(tenant: string): string;
  /** ZSET: one tenant's groups with jobs in lanes, by pass (written by the scripts only). */
  groupsOf(tenant: string): string;
  /** LIST: one tenant's jobs of one group without a priority, oldest first (written by the scripts only). */
  laneOf(tenant: string, group: string): string;
  /** ZSET: one tenant's jobs of one group with a priority (written by the scripts only). */
  priorityLaneOf(tenant: string, group: string): string;
}

const fairKeysByQueue = new WeakMap<QueueKeysOf, FairKeys>();

/** A partition queue's fairness keys (`<prefix>:<name>:fair:<suffix>`, see {@link FairKeys}). Hash tag: the queue's. */
export function fairKeys(queue: QueueKeysOf): FairKeys {
  let keys = fairKeysByQueue.get(queue);
  if (!keys) {
    const base = queueKeyBase(queue);
    const key = (suffix: string) => `${base}fair:${suffix}`;
    keys = {
      base,
      meta: key('meta'),
      ready: key('ready'),
      backlog: key('backlog'),
      due: key('due'),
      paused: key('paused'),
      running: key('running'),
      recent: key('recent'),
      runningOf: (tenant) => key(`r:${tenant}`),
      waitsOf: (tenant) => key(`w:${tenant}`),
      tenantOf: (tenant) => key(`t:${tenant}`),
      groupsOf: (tenant) => key(`g:${tenant}`),
      laneOf: (tenant, group) => key(`l:${tenant}/${group}`),
      priorityLaneOf: (tenant, group) => key(`p:${tenant}/${group}`),
    };
    fairKeysByQueue.set(queue, keys);
  }
  return keys;
}

// ---------------------------------------------------------------------------
// Shared keys outside any queue.

/**
 * A floodgate key outside any queue (`<prefix>:{_<group>}:<rest>`): keys read or written together share `group`. Hash tag: `_<group>`.
 *
 * The underscore keeps these tags apart from queue tags (type names start
 * with a letter). Under a tagged prefix the prefix already pins every key to
 * one slot, `<prefix>:<rest>`, as before.
 */
export function floodgateKey(prefix: string, group: string, rest: string): string {
  return hashTagOf(prefix) !== undefined ? `${prefix}:${rest}` : `${prefix}:{_${group}}:${rest}`;
}

/** One worker process's heartbeat (`<prefix>:{_workers}:workers:<id>`, JSON that expires unless renewed; one MGET reads them all). Hash tag: `_workers`. */
export function heartbeatKey(prefix: string, id: string): string {
  return floodgateKey(prefix, 'workers', `workers:${id}`);
}

/** The partitions' high-water mark (`<prefix>:{_partitions}:partitions:high-water`, a ZSET type → partitions ever used; see docs/operations.md, "Shrinking a type's partitions"). Hash tag: `_partitions`. */
export function highWaterKey(prefix: string): string {
  return floodgateKey(prefix, 'partitions', 'partitions:high-water');
}

/** One proxy's health (`<prefix>:{_proxies}:proxy:<id>`, a HASH of counts, cool-down and last error). Hash tag: `_proxies`. */
export function proxyStateKey(prefix: string, id: string): string {
  return floodgateKey(prefix, 'proxies', `proxy:${id}`);
}

/** The proxies with health (`<prefix>:{_proxies}:proxies`, a ZSET id → when its hash expires). Hash tag: `_proxies`. */
export function proxyRegistryKey(prefix: string): string {
  return floodgateKey(prefix, 'proxies', 'proxies');
}

/** One proxy's health-check lock (`<prefix>:{_proxies}:proxy:<id>:check`, a string with a TTL: one probe per interval across processes). Hash tag: `_proxies`. */
export function proxyCheckLockKey(prefix: string, id: string): string {
  return floodgateKey(prefix, 'proxies', `proxy:${id}:check`);
}

/** One client's token bucket for one job type (`<prefix>:rate:<type>:<client>`, a HASH tokens, at; one key per script call). Hash tag: none (the whole key is hashed, so buckets spread), or the prefix's. */
export function rateLimitKey(prefix: string, type: string, client: string): string {
  return `${prefix}:rate:${type}:${client}`;
}

/** The channel of cancel requests (`<prefix>:cancel`, messages `{type, id}`: the API publishes, every worker process listens). Hash tag: none needed (a channel; PUBLISH reaches every node). */
export function cancelChannel(prefix: string): string {
  return `${prefix}:cancel`;
}

// ---------------------------------------------------------------------------
// The overview's history.

/** Every overview key's base: the prefix's hash tag, or `{overview}` (any `{` counts), so one slot holds a whole window. */
function overviewBase(prefix: string): string {
  return prefix.includes('{') ? `${prefix}:overview` : `${prefix}:{overview}`;
}

/** One overview bucket (`<prefix>:{overview}:<resolution>:<start ms>`, a HASH field → count or gauge, expiring). Hash tag: `overview`. */
export function bucketKey(prefix: string, resolution: { readonly name: string }, bucketStartMs: number): string {
  return `${overviewBase(prefix)}:${resolution.name}:${bucketStartMs}`;
}

/** The processes that wrote overview figures (`<prefix>:{overview}:sources`, a ZSET `role:host:pid` → last write, ms). Hash tag: `overview`. */
export function sourcesKey(prefix: string): string {
  return `${overviewBase(prefix)}:sources`;
}

/** The worker beats the dashboard has seen (`<prefix>:{overview}:workers-seen`, a HASH id → last beat JSON: a silent worker shows as gone). Hash tag: `overview`. */
export function seenWorkersKey(prefix: string): string {
  return `${overviewBase(prefix)}:workers-seen`;
}
