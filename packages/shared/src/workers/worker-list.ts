import { FloodgateError } from '../errors/floodgate-error';
import type { RedisClient } from '../redis/create-redis';
import { withinDeadline } from '../redis/within-deadline';
import { listHeartbeats, type WorkerHeartbeat } from './heartbeat';

/**
 * How long a listing is served again before the next one SCANs. Heartbeats are
 * written every few seconds (WORKER_HEARTBEAT_MS), so a listing a second old
 * says as much as a new one. @defaultValue 1000
 */
export const WORKER_LIST_MAX_AGE_MS = 1_000;
/** Longest a caller waits for a listing unless it says otherwise. @defaultValue 5000 */
export const WORKER_LIST_DEADLINE_MS = 5_000;

export interface WorkerListOptions {
  /** See {@link WORKER_LIST_MAX_AGE_MS}. */
  maxAgeMs?: number;
}

/** How long one caller waits for a listing, and what it gets when that runs out. */
export interface ListDeadline {
  /** @defaultValue WORKER_LIST_DEADLINE_MS */
  ms?: number;
  /** @defaultValue a {@link WorkerListTimeout} */
  error?: () => Error;
}

/**
 * The live worker processes, listed at most once per `maxAgeMs`: every caller
 * within that time gets the same listing, and callers that come while one is
 * running wait for it rather than start their own. A listing walks every
 * primary's whole keyspace (SCAN), so without this each poll of the API or the
 * dashboard would cost a full walk.
 */
export interface WorkerList {
  /**
   * The live workers, sorted by id. Waits at most `deadline.ms`; when every
   * caller waiting for a listing has given up, the listing stops (no further
   * SCAN), and the next caller starts a fresh one.
   */
  list(deadline?: ListDeadline): Promise<WorkerHeartbeat[]>;
  /** Resolves once no listing is running (for shutdown, and to count what a stopped one read). */
  settled(): Promise<void>;
}

/** A listing did not finish within the caller's deadline. */
export class WorkerListTimeout extends FloodgateError {
  constructor(ms: number) {
    super('worker_list_timeout', `Listing the live workers took over ${ms} ms (Redis is slow or unreachable).`);
  }
}

interface Listing {
  result: Promise<WorkerHeartbeat[]>;
  /** Callers waiting for it now. */
  waiting: number;
  stop: AbortController;
}

/** A {@link WorkerList} of its own (tests; a process uses {@link workerListOf}). */
export function createWorkerList(redis: RedisClient, prefix: string, options: WorkerListOptions = {}): WorkerList {
  const maxAgeMs = options.maxAgeMs ?? WORKER_LIST_MAX_AGE_MS;
  let last: { at: number; workers: WorkerHeartbeat[] } | undefined;
  let running: Listing | undefined;
  /** Listings not yet ended, those given up included: a stopped walk still has its last command out. */
  const unsettled = new Set<Promise<unknown>>();

  const start = (): Listing => {
    const stop = new AbortController();
    const listing: Listing = { result: listHeartbeats(redis, prefix, stop.signal), waiting: 0, stop };
    // Kept from when it finished (not when it began), so a slow walk is not followed at once by another.
    const ended = listing.result.then(
      (workers) => {
        last = { at: Date.now(), workers };
      },
      () => undefined,
    );
    unsettled.add(ended);
    void ended.then(() => {
      unsettled.delete(ended);
      if (running === listing) running = undefined;
    });
    return listing;
  };

  return {
    async list(deadline = {}) {
      if (last && Date.now() - last.at < maxAgeMs) return last.workers;
      const listing = (running ??= start());
      listing.waiting++;
      const ms = deadline.ms ?? WORKER_LIST_DEADLINE_MS;
      try {
        return await withinDeadline(listing.result, ms, deadline.error ?? (() => new WorkerListTimeout(ms)));
      } finally {
        listing.waiting--;
        if (listing.waiting === 0 && running === listing) {
          // Nobody waits for it any more: stop walking, and let the next caller start afresh
          // (a listing stuck on a stalled connection must not hold every later caller).
          listing.stop.abort();
          running = undefined;
        }
      }
    },
    async settled() {
      while (unsettled.size > 0) await Promise.all(unsettled);
    },
  };
}

/**
 * One {@link WorkerList} per connection and prefix, so every route of a process
 * (the API's /v1/workers and /v1/queues, the dashboard's overview) shares its
 * listing without being wired to each other. Dropped with the connection.
 */
export function workerListOf(redis: RedisClient, prefix: string): WorkerList {
  let byPrefix = shared.get(redis);
  if (!byPrefix) shared.set(redis, (byPrefix = new Map()));
  let list = byPrefix.get(prefix);
  if (!list) byPrefix.set(prefix, (list = createWorkerList(redis, prefix)));
  return list;
}

const shared = new WeakMap<RedisClient, Map<string, WorkerList>>();
