import { luaScript, readLuaFiles } from '@floodgate/shared/redis';
import type { RedisClient } from '@floodgate/shared/redis';

/**
 * A token bucket in one Redis hash refilled by Redis's own clock (`TIME`), so API processes share it regardless of
 * clock skew; one call takes a coalesced batch's tokens, partially or all or nothing. Scripts read once per process.
 */
const TAKE_TOKENS = readLuaFiles(__dirname, 'take-tokens.lua');
const GIVE_TOKENS = readLuaFiles(__dirname, 'give-tokens.lua');

export interface TokenGrant {
  granted: number;
  /** When to come back for what was not granted, in ms; 0 when all was. */
  retryAfterMs: number;
}

/**
 * The bucket at `key` (`ratePerSecond` refill, at most `capacity` saved up):
 * `take` tokens from it, or `give` back tokens taken for nothing.
 */
export function tokenBucket(redis: RedisClient) {
  const take = luaScript<[number, number]>(redis, 'floodgateTakeTokens', TAKE_TOKENS, 1);
  const give = luaScript<number>(redis, 'floodgateGiveTokens', GIVE_TOKENS, 1);
  return {
    async take(key: string, ratePerSecond: number, capacity: number, want: number, mode: 'partial' | 'whole'): Promise<TokenGrant> {
      const [granted, retryAfterMs] = await take(key, ratePerSecond, capacity, want, mode === 'whole' ? 1 : 0);
      return { granted, retryAfterMs };
    },
    async give(key: string, ratePerSecond: number, capacity: number, count: number): Promise<void> {
      await give(key, ratePerSecond, capacity, count);
    },
  };
}
