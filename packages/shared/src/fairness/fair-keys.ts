import type { Queue } from 'bullmq';

/** What fairness needs of a BullMQ queue or worker (both name the same keys): its key base and BullMQ's own keys. */
export type QueueKeysOf = Pick<Queue, 'name' | 'keys' | 'toKey'>;

/**
 * The keys of one partition queue's fairness state that code outside the Lua
 * scripts reads (the full list, with what each holds, heads fair-lib.lua).
 * All sit under the queue's own key base, so its hash tag and slot.
 */
export interface FairKeys {
  /** The queue's key base, `<prefix>:<name>:`: a job's key is base + id. */
  readonly base: string;
  readonly meta: string;
  readonly ready: string;
  readonly backlog: string;
  readonly due: string;
  readonly paused: string;
  readonly running: string;
  /** Tenants whose jobs started in the last 10 minutes, by when. */
  readonly recent: string;
  /** The running slots of one tenant. */
  runningOf(tenant: string): string;
  /** One tenant's recent waits to start, in ms. */
  waitsOf(tenant: string): string;
  /** One tenant's own state: its weight and place in turn. */
  tenantOf(tenant: string): string;
}

const byQueue = new WeakMap<QueueKeysOf, FairKeys>();

export function fairKeys(queue: QueueKeysOf): FairKeys {
  let keys = byQueue.get(queue);
  if (!keys) {
    const base = queue.toKey('');
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
    };
    byQueue.set(queue, keys);
  }
  return keys;
}
