import { luaScript, readLuaFiles } from '@floodgate/shared/redis';
import type { RedisClient } from '@floodgate/shared/redis';

/**
 * A token bucket in one Redis hash, refilled by Redis's own clock (`TIME`), so
 * every API process shares it and no process's clock skew matters. It grants
 * up to what was asked (`partial`), or all or nothing. One call per batch of
 * requests: coalesced single enqueues take many tokens in one round trip.
 * The script is take-tokens.lua, read once per process.
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
