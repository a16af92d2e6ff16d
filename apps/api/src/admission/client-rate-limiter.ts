import { jobTypes, type JobType } from '@floodgate/shared/jobs';
import type { Redis } from 'ioredis';
import { BurstyRateLimiter, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** Seconds over which the burst allowance (as much again as the rate) refills. */
const BURST_WINDOW_SECONDS = 10;

export interface ClientRateLimiter {
  /** The most jobs of `type` one client can ever get at once: the steady rate plus the burst. */
  capacity(type: JobType): number;
  /** Takes `count` jobs from `client`'s allowance for `type`; returns the wait in ms when there is not enough left. */
  take(type: JobType, client: string, count?: number): Promise<{ allowed: true } | { allowed: false; retryAfterMs: number }>;
}

/**
 * Per-client, per-type rate limits, counted in Redis so every API process
 * shares them: a steady `perSecond` plus a burst of as many again over 10 s
 * (rate-limiter-flexible's BurstyRateLimiter: a token bucket's steady refill
 * and burst capacity, in two Redis counters).
 */
export function createClientRateLimiter(redis: Redis, prefix: string, perSecond: Record<JobType, number>): ClientRateLimiter {
  const limiters = new Map(
    jobTypes.map((type) => {
      const steady = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:rate:${type}`, points: perSecond[type], duration: 1 });
      const burst = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${prefix}:burst:${type}`,
        points: perSecond[type],
        duration: BURST_WINDOW_SECONDS,
      });
      return [type, new BurstyRateLimiter(steady, burst)] as const;
    }),
  );
  return {
    capacity: (type) => 2 * perSecond[type],
    async take(type, client, count = 1) {
      const limiter = limiters.get(type);
      if (!limiter) return { allowed: true };
      try {
        await limiter.consume(client, count);
        return { allowed: true };
      } catch (rejection) {
        // rate-limiter-flexible rejects with a RateLimiterRes when the allowance is spent,
        // and with an Error when Redis failed (which the caller turns into a 503).
        if (rejection instanceof RateLimiterRes) return { allowed: false, retryAfterMs: rejection.msBeforeNext };
        throw rejection;
      }
    },
  };
}
