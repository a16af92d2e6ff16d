import type { Logger } from '@floodgate/shared/logger';
import type { RedisClient } from '@floodgate/shared/redis';
import type { Use } from '@floodgate/testkit/fixtures';
import { startRedisMemoryGuard, type RedisMemoryGuard, type RedisMemoryGuardOptions } from '../admission/redis-memory-guard';

/** Starts a memory guard with these options, on the connection and logger its fixture was given. */
export type StartGuard = (options: Omit<RedisMemoryGuardOptions, 'redis' | 'logger'>) => RedisMemoryGuard;

/** A `startGuard` fixture: guards on `redis` that log to `logger`; the one the test starts is stopped after it. */
export async function guardsOn(redis: RedisClient, logger: Logger, use: Use<StartGuard>): Promise<void> {
  let guard: RedisMemoryGuard | undefined;
  await use((options) => (guard = startRedisMemoryGuard({ ...options, redis, logger })));
  guard?.stop();
}
