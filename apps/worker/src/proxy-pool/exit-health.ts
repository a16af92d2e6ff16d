import type { Logger } from '@floodgate/shared/logger';
import { ProxyStateStore, type ProxyHealth } from '@floodgate/shared/proxies';
import { withinDeadline, type RedisClient } from '@floodgate/shared/redis';
import { isCooling, type Exit } from './exit';
import type { ProxyOutcome } from './proxy-metrics';

/**
 * Outcomes that mean the exit is at fault: it cools down. Not `timeout` nor
 * `target_error`: they come after the hand-over to the site (proxy-metrics.ts),
 * and one silent or broken site must not cool every exit it is fetched through.
 */
const COOLING: ReadonlySet<ProxyOutcome> = new Set(['blocked', 'proxy_error']);

/** The longest any health read or write waits for Redis: meanwhile, this process goes on with what it knows. */
const REDIS_ANSWER_MS = 1_000;

export interface ExitHealthOptions {
  exits: readonly Exit[];
  redis: RedisClient;
  prefix: string;
  logger: Logger;
  cooldownBaseMs: number;
  cooldownMaxMs: number;
  /** How long a proxy's health hash outlives its last use. @defaultValue 3600000 */
  stateTtlMs?: number | undefined;
  /** Called when an exit turned from healthy to cooling or back: waiters may now be served. */
  onChange(): void;
}

/**
 * The exits' health, shared with every other worker process through Redis
 * (`ProxyStateStore`): what a request's outcome does to its exit, what the
 * other processes recorded, and the background check's revivals.
 */
export class ExitHealth {
  readonly store: ProxyStateStore;
  private refreshing: Promise<void> | undefined;
  private refreshedAt = 0;

  constructor(private readonly options: ExitHealthOptions) {
    this.store = new ProxyStateStore(options.redis, options.prefix, options.stateTtlMs);
  }

  /** Re-reads every exit's health from Redis (what other processes recorded), at most every `maxAgeMs`. */
  async refresh(maxAgeMs = 0): Promise<void> {
    if (this.refreshing) return this.refreshing;
    if (Date.now() - this.refreshedAt < maxAgeMs) return;
    this.refreshing = (async () => {
      try {
        const healths = await answerWithin(this.store.readHealth(this.options.exits.map((exit) => exit.endpoint)));
        this.refreshedAt = Date.now();
        let changed = false;
        this.options.exits.forEach((exit, index) => {
          const health = healths[index];
          if (health) changed = this.apply(exit, health) || changed;
        });
        if (changed) this.options.onChange();
      } catch (err) {
        this.options.logger.warn({ err }, 'could not read proxy health from Redis; using what this process knows');
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** Whether an outcome is the exit's fault; if so, stops handing the exit out now, before Redis answers. */
  coolNow(exit: Exit, outcome: ProxyOutcome): boolean {
    if (!COOLING.has(outcome)) return false;
    if (!isCooling(exit)) {
      // Redis's answer corrects the figures; until then, this process holds off on its own.
      const now = Date.now();
      exit.health = { coolUntil: now + this.options.cooldownBaseMs, strikes: exit.health.strikes + 1, cooledAt: now };
    }
    return true;
  }

  /**
   * Records a request's outcome in the shared health (bounded: an outage only
   * costs the record). The site's failures (`timeout`, `target_error`) and
   * `aborted` are not recorded: they say nothing either way about the exit.
   */
  async record(exit: Exit, startedAt: number, outcome: ProxyOutcome, detail: string): Promise<void> {
    const cools = COOLING.has(outcome);
    try {
      if (outcome === 'ok') {
        this.apply(exit, await answerWithin(this.store.recordSuccess(exit.endpoint, startedAt)));
      } else if (cools || outcome === 'upstream_error') {
        const { cooldownBaseMs, cooldownMaxMs } = this.options;
        const health = await answerWithin(this.store.recordFailure(exit.endpoint, { error: detail, cool: cools, cooldownBaseMs, cooldownMaxMs }));
        this.apply(exit, health);
        if (health.newlyCooled) {
          this.options.logger.warn(
            { proxy: exit.endpoint.hostPort, outcome, reason: detail, strikes: health.strikes, coolingForMs: health.coolUntil - health.cooledAt },
            'proxy cooling down',
          );
        }
      }
    } catch (err) {
      this.options.logger.warn({ err, proxy: exit.endpoint.hostPort }, 'could not record proxy health in Redis');
    }
  }

  /** Ends a cool-down after a health check got an answer through the exit; true when it is back. */
  async revive(exit: Exit, startedAt: number): Promise<boolean> {
    return this.apply(exit, await answerWithin(this.store.recordSuccess(exit.endpoint, startedAt, { revival: true })));
  }

  /** Sets an exit's health; true when that turned it from healthy to cooling or back. */
  private apply(exit: Exit, health: ProxyHealth): boolean {
    const now = Date.now();
    const wasCooling = isCooling(exit, now);
    exit.health = { coolUntil: health.coolUntil, strikes: health.strikes, cooledAt: health.cooledAt };
    return wasCooling !== isCooling(exit, now);
  }
}

/** `promise`, or a rejection once Redis has taken {@link REDIS_ANSWER_MS} to answer. */
function answerWithin<T>(promise: Promise<T>): Promise<T> {
  return withinDeadline(promise, REDIS_ANSWER_MS, () => new Error(`Redis did not answer within ${REDIS_ANSWER_MS} ms`));
}
