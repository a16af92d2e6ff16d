import type { Logger } from '@floodgate/shared/logger';
import { ProxyStateStore, type ProxyEndpoint, type ProxyHealth } from '@floodgate/shared/proxies';
import type { RedisClient } from '@floodgate/shared/redis';
import { ProxyAgent, type Dispatcher } from 'undici';
import type { ProxyMetrics, ProxyOutcome } from './proxy-metrics';

export type RotationPolicy = 'round-robin' | 'lru';

export interface ProxyPoolOptions {
  /** The exits, from `loadProxyList` (FETCH_PROXIES / FETCH_PROXIES_FILE); at least one. */
  endpoints: readonly ProxyEndpoint[];
  /** Where health is shared with the other worker processes (a worker connection). */
  redis: RedisClient;
  /** QUEUE_PREFIX: health lives at `proxyStateKey(prefix, id)`. */
  prefix: string;
  logger: Logger;
  /** @defaultValue 'round-robin' (env FETCH_PROXY_ROTATION) */
  rotation?: RotationPolicy;
  /** Requests one process sends through one exit at once. @defaultValue 16 (env FETCH_PROXY_MAX_CONCURRENCY) */
  maxConcurrency?: number;
  /** First cool-down; each further one in a row doubles it. @defaultValue 5000 (env FETCH_PROXY_COOLDOWN_BASE_MS) */
  cooldownBaseMs?: number;
  /** Longest cool-down. @defaultValue 300000 (env FETCH_PROXY_COOLDOWN_MAX_MS) */
  cooldownMaxMs?: number;
  /** Target statuses that mean "this exit is blocked" (407 from the proxy always does). @defaultValue [403, 429] (env FETCH_PROXY_BLOCK_STATUSES) */
  blockStatuses?: readonly number[];
  /** A HEAD through each cooling exit every `intervalMs` ends its cool-down when it answers. @defaultValue off (env FETCH_PROXY_HEALTHCHECK_URL, …_INTERVAL_MS) */
  healthcheck?: { url: string; intervalMs: number };
  /** How often health written by other processes is re-read. @defaultValue 1000 */
  stateRefreshMs?: number;
  /** How long a proxy's health hash outlives its last use. @defaultValue 3600000 */
  stateTtlMs?: number;
  /** `floodgate_proxy_requests_total`. @defaultValue not counted */
  metrics?: ProxyMetrics;
  /**
   * Send http:// pages through a CONNECT tunnel too. Off, they go as
   * absolute-form requests (`GET http://host/path`), which every forward proxy
   * serves (Squid, for one, allows CONNECT only to port 443 by default);
   * https:// pages always go through a tunnel. @defaultValue false
   */
  tunnelHttp?: boolean;
  /** Builds the dispatcher of one exit. @defaultValue an undici ProxyAgent for its URL */
  createDispatcher?: (endpoint: ProxyEndpoint) => Dispatcher;
}

export interface AcquireRequest {
  /** Jobs with the same key get the same exit while it is healthy (rendezvous hashing, so every process agrees). */
  sticky?: string | undefined;
  /** Exits not to use (the one that just failed). */
  exclude?: readonly ProxyEndpoint[];
  /** Bounds the wait for a free slot: the job's signal. */
  signal: AbortSignal;
}

/** One request's hold on one exit. */
export interface ProxyLease {
  readonly endpoint: ProxyEndpoint;
  readonly dispatcher: Dispatcher;
  /**
   * Frees the slot, counts the outcome and records it in the shared health
   * (`detail`: a short, credential-free reason for a failure). Call once.
   */
  /**
   * Frees the slot and records how the request went. `unused`: nothing was sent
   * through the exit (the page's own URL was refused first), so it says nothing
   * about the exit and nothing is recorded.
   */
  release(outcome: ProxyOutcome | 'unused', detail?: string): Promise<void>;
}

/** What one exit looks like from this process (for tests and logs). */
export interface ExitView {
  hostPort: string;
  active: number;
  health: ProxyHealth;
}

interface Exit {
  readonly endpoint: ProxyEndpoint;
  readonly dispatcher: Dispatcher;
  readonly index: number;
  active: number;
  /** Order of last use, for `lru`. */
  lastUsed: number;
  health: ProxyHealth;
}

interface Waiter {
  request: AcquireRequest;
  excluded: ReadonlySet<string>;
  settle(lease: ProxyLease | undefined): void;
}

/** Outcomes that mean the exit is at fault: it cools down. */
const COOLING: ReadonlySet<ProxyOutcome> = new Set(['blocked', 'proxy_error', 'timeout']);

/**
 * The exits page-extract fetches through, in one worker process: picks one per
 * request (round-robin or least recently used, or by a sticky key), caps each
 * exit's concurrent requests, skips the ones cooling down, and shares what it
 * learns with every other process through Redis (`ProxyStateStore`).
 */
export class ProxyPool {
  readonly blockStatuses: ReadonlySet<number>;
  private readonly exits: Exit[];
  private readonly store: ProxyStateStore;
  private readonly rotation: RotationPolicy;
  private readonly maxConcurrency: number;
  private readonly cooldownBaseMs: number;
  private readonly cooldownMaxMs: number;
  private readonly logger: Logger;
  private readonly waiters: Waiter[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly counters = new Map<string, { inc(): void }>();
  private cursor = 0;
  private uses = 0;
  private refreshing: Promise<void> | undefined;
  private refreshedAt = 0;
  private closed = false;

  constructor(private readonly options: ProxyPoolOptions) {
    if (options.endpoints.length === 0) throw new Error('a proxy pool needs at least one proxy');
    this.rotation = options.rotation ?? 'round-robin';
    this.maxConcurrency = options.maxConcurrency ?? 16;
    this.cooldownBaseMs = options.cooldownBaseMs ?? 5_000;
    this.cooldownMaxMs = Math.max(options.cooldownMaxMs ?? 300_000, this.cooldownBaseMs);
    this.blockStatuses = new Set(options.blockStatuses ?? [403, 429]);
    this.logger = options.logger.child({ component: 'proxy-pool' });
    this.store = new ProxyStateStore(options.redis, options.prefix, options.stateTtlMs);
    const proxyTunnel = options.tunnelHttp ?? false;
    const createDispatcher = options.createDispatcher ?? ((endpoint: ProxyEndpoint) => new ProxyAgent({ uri: endpoint.url, proxyTunnel }));
    this.exits = options.endpoints.map((endpoint, index) => ({
      endpoint,
      dispatcher: createDispatcher(endpoint),
      index,
      active: 0,
      lastUsed: 0,
      health: { coolUntil: 0, strikes: 0, cooledAt: 0 },
    }));
    this.timers.push(setInterval(() => void this.refresh(), options.stateRefreshMs ?? 1_000).unref());
    const check = options.healthcheck;
    if (check) {
      let checking = false;
      const tick = () => {
        // One round at a time: a round stuck on a Redis outage does not pile up more.
        if (checking) return;
        checking = true;
        void this.checkCoolingExits(check.url, check.intervalMs).finally(() => (checking = false));
      };
      this.timers.push(setInterval(tick, check.intervalMs).unref());
    }
  }

  /**
   * An exit for one request, or `undefined` when none is healthy (every one
   * cooling, or excluded). While every healthy exit is at its concurrency cap
   * it waits for a slot, for as long as `signal` allows (it rejects with the
   * signal's reason).
   */
  async acquire(request: AcquireRequest): Promise<ProxyLease | undefined> {
    request.signal.throwIfAborted();
    if (this.closed) return undefined;
    const excluded = new Set((request.exclude ?? []).map((endpoint) => endpoint.id));
    let choice = this.pick(request, excluded);
    if (choice === 'none' && excluded.size === 0) {
      // Before telling a job there is no exit, look at what the other processes know.
      await this.refresh(100);
      choice = this.pick(request, excluded);
    }
    if (choice === 'none') return undefined;
    if (choice !== 'wait') return this.take(choice);
    return new Promise<ProxyLease | undefined>((resolve, reject) => {
      const onAbort = () => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(request.signal.reason);
      };
      const waiter: Waiter = {
        request,
        excluded,
        settle: (lease) => {
          request.signal.removeEventListener('abort', onAbort);
          resolve(lease);
        },
      };
      request.signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Why no exit could be given: for the `no_healthy_proxy` failure. */
  unavailableReason(now = Date.now()): string {
    const soonest = Math.min(...this.exits.map((exit) => exit.health.coolUntil));
    const back = soonest > now ? `; the first is back in ${((soonest - now) / 1_000).toFixed(1)} s` : '';
    return `all ${this.exits.length} proxies are cooling down (${this.exits.map((exit) => exit.endpoint.hostPort).join(', ')})${back}`;
  }

  /** Re-reads every exit's health from Redis (what other processes recorded), at most every `maxAgeMs`. */
  async refresh(maxAgeMs = 0): Promise<void> {
    if (this.refreshing) return this.refreshing;
    if (Date.now() - this.refreshedAt < maxAgeMs) return;
    this.refreshing = (async () => {
      let timer: NodeJS.Timeout | undefined;
      try {
        // Bounded: while Redis is away, an acquire goes on with what this process knows.
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('Redis did not answer within 1 s')), 1_000);
        });
        const healths = await Promise.race([this.store.readHealth(this.exits.map((exit) => exit.endpoint)), timeout]);
        this.refreshedAt = Date.now();
        let changed = false;
        this.exits.forEach((exit, index) => {
          const health = healths[index];
          if (health) changed = this.applyHealth(exit, health) || changed;
        });
        if (changed) this.serveWaiters();
      } catch (err) {
        this.logger.warn({ err }, 'could not read proxy health from Redis; using what this process knows');
      } finally {
        clearTimeout(timer);
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** Each exit as this process sees it. */
  view(): ExitView[] {
    return this.exits.map((exit) => ({ hostPort: exit.endpoint.hostPort, active: exit.active, health: { ...exit.health } }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const waiter of this.waiters.splice(0)) waiter.settle(undefined);
    await Promise.allSettled(
      this.exits.map(async (exit) => {
        const closing = exit.dispatcher.close();
        const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 1_000).unref());
        if ((await Promise.race([closing, timeout])) === 'timeout') await exit.dispatcher.destroy();
      }),
    );
  }

  /** An exit with a free slot, `wait` when the healthy ones are all busy, `none` when none is healthy. */
  private pick(request: AcquireRequest, excluded: ReadonlySet<string>, now = Date.now()): Exit | 'wait' | 'none' {
    const candidates = this.exits.filter((exit) => !excluded.has(exit.endpoint.id) && exit.health.coolUntil <= now);
    if (candidates.length === 0) return 'none';
    if (request.sticky !== undefined) {
      // The sticky key's own exit or nothing: waiting keeps the site on one address.
      const own = stickyChoice(request.sticky, candidates);
      return this.hasSlot(own) ? own : 'wait';
    }
    const free = candidates.filter((exit) => this.hasSlot(exit));
    if (free.length === 0) return 'wait';
    if (this.rotation === 'lru') return free.reduce((a, b) => (b.lastUsed < a.lastUsed ? b : a));
    const n = this.exits.length;
    const next = free.reduce((a, b) => ((b.index - this.cursor + n) % n < (a.index - this.cursor + n) % n ? b : a));
    this.cursor = (next.index + 1) % n;
    return next;
  }

  /** After a cool-down, one request at a time until one succeeds (a probe, not a stampede). */
  private hasSlot(exit: Exit): boolean {
    return exit.active < (exit.health.strikes > 0 ? 1 : this.maxConcurrency);
  }

  private take(exit: Exit): ProxyLease {
    exit.active++;
    exit.lastUsed = ++this.uses;
    const startedAt = Date.now();
    let released = false;
    return {
      endpoint: exit.endpoint,
      dispatcher: exit.dispatcher,
      release: async (outcome, detail) => {
        if (released) return;
        released = true;
        await this.finish(exit, startedAt, outcome, detail ?? outcome);
      },
    };
  }

  private async finish(exit: Exit, startedAt: number, outcome: ProxyOutcome | 'unused', detail: string): Promise<void> {
    exit.active--;
    if (outcome === 'unused') return this.serveWaiters();
    this.count(exit, outcome);
    const cools = COOLING.has(outcome);
    if (cools && exit.health.coolUntil <= Date.now()) {
      // Stop handing this exit out now, before Redis answers; its answer corrects the figures.
      const now = Date.now();
      exit.health = { coolUntil: now + this.cooldownBaseMs, strikes: exit.health.strikes + 1, cooledAt: now };
    }
    // The slot is free whatever Redis says (or while it says nothing, during an outage).
    this.serveWaiters();
    try {
      if (outcome === 'ok') {
        this.applyHealth(exit, await this.store.recordSuccess(exit.endpoint, startedAt));
      } else if (cools || outcome === 'upstream_error') {
        const failure = { error: detail, cool: cools, cooldownBaseMs: this.cooldownBaseMs, cooldownMaxMs: this.cooldownMaxMs };
        const health = await this.store.recordFailure(exit.endpoint, failure);
        this.applyHealth(exit, health);
        if (health.newlyCooled) {
          this.logger.warn(
            { proxy: exit.endpoint.hostPort, outcome, reason: detail, strikes: health.strikes, coolingForMs: health.coolUntil - health.cooledAt },
            'proxy cooling down',
          );
        }
      }
    } catch (err) {
      this.logger.warn({ err, proxy: exit.endpoint.hostPort }, 'could not record proxy health in Redis');
    }
    this.serveWaiters();
  }

  /** Sets an exit's health; true when that turned it from healthy to cooling or back. */
  private applyHealth(exit: Exit, health: ProxyHealth): boolean {
    const now = Date.now();
    const wasHealthy = exit.health.coolUntil <= now;
    exit.health = health;
    return wasHealthy !== health.coolUntil <= now;
  }

  /** Hands free slots to waiting requests, in order; tells those with no healthy exit left. */
  private serveWaiters(): void {
    for (let i = 0; i < this.waiters.length; ) {
      const waiter = this.waiters[i];
      if (!waiter) break;
      const choice = this.pick(waiter.request, waiter.excluded);
      if (choice === 'wait') {
        // A plain request that must wait means every healthy exit is full: so must the rest.
        if (waiter.request.sticky === undefined && waiter.excluded.size === 0) break;
        i++;
        continue;
      }
      this.waiters.splice(i, 1);
      waiter.settle(choice === 'none' ? undefined : this.take(choice));
    }
  }

  private count(exit: Exit, outcome: ProxyOutcome): void {
    const metrics = this.options.metrics;
    if (!metrics) return;
    const key = `${exit.index}/${outcome}`;
    let counter = this.counters.get(key);
    if (!counter) {
      counter = metrics.requests.labels({ proxy: exit.endpoint.hostPort, outcome });
      this.counters.set(key, counter);
    }
    counter.inc();
  }

  /** One HEAD through each cooling exit whose turn this process wins; an answer ends the cool-down. */
  private async checkCoolingExits(url: string, intervalMs: number): Promise<void> {
    const target = new URL(url);
    const now = Date.now();
    await Promise.allSettled(
      this.exits
        .filter((exit) => exit.health.coolUntil > now)
        .map(async (exit) => {
          if (!(await this.store.claimCheck(exit.endpoint, intervalMs))) return;
          const startedAt = Date.now();
          const response = await exit.dispatcher.request({
            origin: target.origin,
            path: `${target.pathname}${target.search}`,
            method: 'HEAD',
            headers: { 'user-agent': 'floodgate-proxy-healthcheck' },
            signal: AbortSignal.timeout(Math.min(intervalMs, 5_000)),
          });
          await response.body.dump();
          const status = response.statusCode;
          if (status >= 500 || status === 407 || this.blockStatuses.has(status)) return;
          const health = await this.store.recordSuccess(exit.endpoint, startedAt, { revival: true });
          if (this.applyHealth(exit, health)) {
            this.logger.info({ proxy: exit.endpoint.hostPort, status }, 'proxy answered its health check: back in rotation');
            this.serveWaiters();
          }
        }),
    );
  }
}

/** Rendezvous (highest random weight) hashing: the same key picks the same exit among the same candidates, in every process. */
function stickyChoice(key: string, candidates: readonly Exit[]): Exit {
  let best = candidates[0] as Exit;
  let bestScore = -1;
  for (const exit of candidates) {
    const score = fnv1a(`${key}\u0000${exit.endpoint.id}`);
    if (score > bestScore) {
      best = exit;
      bestScore = score;
    }
  }
  return best;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // A final mix, so keys that differ in their last characters spread well.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash >>> 0;
}
