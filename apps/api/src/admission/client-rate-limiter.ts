import type { JobType } from '@floodgate/shared/jobs';
import { rateLimitKey, type RedisClient } from '@floodgate/shared/redis';
import { createTickBatcher } from '../coalesce/tick-batcher';
import { withRedis } from '../redis/redis-deadline';
import { tokenBucket } from './token-bucket';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface ClientRateLimiter {
  /** The most jobs of `type` one client can ever get at once: a second's worth plus a burst of as many again. */
  capacity(type: JobType): number;
  /** Takes `count` jobs (all or none: a bulk request) from `client`'s allowance for `type`. */
  take(type: JobType, client: string, count: number): Promise<RateDecision>;
  /**
   * Takes one job. Calls from the same turn of the event loop share one Redis
   * round trip; when the allowance runs out part-way, the first ones pass.
   */
  takeOne(type: JobType, client: string): Promise<RateDecision>;
  /**
   * Gives `count` tokens back (up to the bucket's capacity): requests that took
   * them and then stored nothing (refused, a repeat, a conflict). Best effort:
   * a refund Redis does not take is logged nowhere and costs the client a token.
   */
  refund(type: JobType, client: string, count: number): void;
}

/**
 * Per-client, per-type rate limits, counted in Redis so every API process
 * shares them: a token bucket refilled at `perSecond` that holds up to twice
 * that, so a client at rest may burst a second's worth on top of the rate.
 */
export function createClientRateLimiter(redis: RedisClient, prefix: string, perSecond: Record<JobType, number>): ClientRateLimiter {
  const { take: takeTokens, give: giveTokens } = tokenBucket(redis);
  const keyOf = (type: JobType, client: string) => rateLimitKey(prefix, type, client);
  const capacity = (type: JobType) => 2 * perSecond[type];
  const ones = createTickBatcher<{ type: JobType; client: string }, RateDecision>(async (key, items) => {
    const { type } = items[0] as { type: JobType };
    // The batch's one Redis call runs under the request deadline (its callers do not each start one).
    const grant = await withRedis(redis, () => takeTokens(key, perSecond[type], capacity(type), items.length, 'partial'));
    return items.map((_, i) => (i < grant.granted ? { allowed: true } : { allowed: false, retryAfterMs: grant.retryAfterMs }));
  });
  return {
    capacity,
    async take(type, client, count) {
      const grant = await withRedis(redis, () => takeTokens(keyOf(type, client), perSecond[type], capacity(type), count, 'whole'));
      return grant.granted === count ? { allowed: true } : { allowed: false, retryAfterMs: grant.retryAfterMs };
    },
    takeOne(type, client) {
      return ones.submit(keyOf(type, client), { type, client });
    },
    refund(type, client, count) {
      if (count > 0) void giveTokens(keyOf(type, client), perSecond[type], capacity(type), count).catch(() => undefined);
    },
  };
}
