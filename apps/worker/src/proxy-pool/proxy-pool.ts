import type { Logger } from '@floodgate/shared/logger';
import type { ProxyEndpoint, ProxyHealth } from '@floodgate/shared/proxies';
import type { RedisClient } from '@floodgate/shared/redis';
import type { Dispatcher } from 'undici';
import type { Exit } from './exit';
import { createExitDispatcher } from './exit-dispatcher';
import { ExitHealth } from './exit-health';
import { ExitSelection, type RotationPolicy } from './exit-selection';
import { startHealthCheck } from './health-check';
import { LeaseWaiters, type Offer, type WaitingRequest } from './lease-waiters';
import type { ProxyMetrics, ProxyOutcome } from './proxy-metrics';

export type { RotationPolicy } from './exit-selection';

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
  /**
   * Builds the dispatcher of one exit (tests that send nothing). Only the default
   * tells a CONNECT the proxy never answered from a site's failure in the tunnel.
   * @defaultValue an undici ProxyAgent for its URL (exit-dispatcher.ts)
   */
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
   * `unused`: nothing was sent through the exit (the page's own URL was refused
   * first), so it says nothing about the exit and nothing is recorded.
   */
  release(outcome: ProxyOutcome | 'unused', detail?: string): Promise<void>;
}

/** What one exit looks like from this process (for tests and logs). */
export interface ExitView {
  hostPort: string;
  active: number;
  health: ProxyHealth;
}

/**
 * The exits page-extract fetches through, in one worker process: picks one per
 * request (exit-selection.ts), caps each exit's concurrent requests and queues
 * the requests that must wait (lease-waiters.ts), skips the exits cooling down,
 * and shares what it learns with every other process through Redis
 * (exit-health.ts, health-check.ts).
 */
export class ProxyPool {
  readonly blockStatuses: ReadonlySet<number>;
  /** Whether http:// pages go through a CONNECT tunnel (https:// pages always do). */
  readonly tunnelHttp: boolean;
  private readonly exits: Exit[];
  private readonly selection: ExitSelection;
  private readonly waiters = new LeaseWaiters<ProxyLease>();
  private readonly health: ExitHealth;
  private readonly stops: Array<() => void> = [];
  private readonly counters = new Map<string, { inc(): void }>();
  private uses = 0;
  private closed = false;

  constructor(private readonly options: ProxyPoolOptions) {
    if (options.endpoints.length === 0) throw new Error('a proxy pool needs at least one proxy');
    const cooldownBaseMs = options.cooldownBaseMs ?? 5_000;
    this.blockStatuses = new Set(options.blockStatuses ?? [403, 429]);
    const logger = options.logger.child({ component: 'proxy-pool' });
    this.tunnelHttp = options.tunnelHttp ?? false;
    const createDispatcher = options.createDispatcher ?? ((endpoint: ProxyEndpoint) => createExitDispatcher(endpoint, this.tunnelHttp));
    this.exits = options.endpoints.map((endpoint, index) => ({
      endpoint,
      dispatcher: createDispatcher(endpoint),
      index,
      active: 0,
      lastUsed: 0,
      health: { coolUntil: 0, strikes: 0, cooledAt: 0 },
    }));
    this.selection = new ExitSelection(this.exits, options.rotation ?? 'round-robin', options.maxConcurrency ?? 16);
    this.health = new ExitHealth({
      exits: this.exits,
      redis: options.redis,
      prefix: options.prefix,
      logger,
      cooldownBaseMs,
      cooldownMaxMs: Math.max(options.cooldownMaxMs ?? 300_000, cooldownBaseMs),
      stateTtlMs: options.stateTtlMs,
      onChange: () => this.serveWaiters(),
    });
    const refresher = setInterval(() => void this.health.refresh(), options.stateRefreshMs ?? 1_000).unref();
    this.stops.push(() => clearInterval(refresher));
    if (options.healthcheck) {
      const { url, intervalMs } = options.healthcheck;
      const onRevived = () => this.serveWaiters();
      this.stops.push(startHealthCheck({ exits: this.exits, health: this.health, blockStatuses: this.blockStatuses, url, intervalMs, logger, onRevived }));
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
    const wanted: WaitingRequest = {
      sticky: request.sticky,
      excluded: new Set((request.exclude ?? []).map((endpoint) => endpoint.id)),
      signal: request.signal,
    };
    let choice = this.selection.pick(wanted);
    if (choice === 'none' && wanted.excluded.size === 0) {
      // Before telling a job there is no exit, look at what the other processes know.
      await this.health.refresh(100);
      choice = this.selection.pick(wanted);
    }
    if (choice === 'none') return undefined;
    if (choice !== 'wait') return this.take(choice);
    return this.waiters.wait(wanted);
  }

  /** Why no exit could be given: for the `no_healthy_proxy` failure. */
  unavailableReason(now = Date.now()): string {
    const soonest = Math.min(...this.exits.map((exit) => exit.health.coolUntil));
    const back = soonest > now ? `; the first is back in ${((soonest - now) / 1_000).toFixed(1)} s` : '';
    return `all ${this.exits.length} proxies are cooling down (${this.exits.map((exit) => exit.endpoint.hostPort).join(', ')})${back}`;
  }

  /** Re-reads every exit's health from Redis (what other processes recorded), at most every `maxAgeMs`. */
  refresh(maxAgeMs = 0): Promise<void> {
    return this.health.refresh(maxAgeMs);
  }

  /** Each exit as this process sees it. */
  view(): ExitView[] {
    return this.exits.map((exit) => ({ hostPort: exit.endpoint.hostPort, active: exit.active, health: { ...exit.health } }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.stops) stop();
    this.waiters.settleAll();
    await Promise.allSettled(
      this.exits.map(async (exit) => {
        const closing = exit.dispatcher.close();
        const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 1_000).unref());
        if ((await Promise.race([closing, timeout])) === 'timeout') await exit.dispatcher.destroy();
      }),
    );
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
    this.health.coolNow(exit, outcome);
    // The slot is free whatever Redis says (or while it says nothing, during an outage).
    this.serveWaiters();
    await this.health.record(exit, startedAt, outcome, detail);
    this.serveWaiters();
  }

  /** Hands free slots to waiting requests, in order; tells those with no healthy exit left. */
  private serveWaiters(): void {
    this.waiters.serve((request): Offer<ProxyLease> => {
      const choice = this.selection.pick(request);
      return choice === 'wait' ? 'wait' : choice === 'none' ? undefined : this.take(choice);
    });
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
}
