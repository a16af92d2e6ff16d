import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisClient } from './create-redis';

/**
 * A Lua script as a function: ioredis sends EVALSHA and falls back to EVAL
 * when Redis does not have the script (first use, SCRIPT FLUSH, a restart).
 * Defined once per connection, under `name`.
 */
export function luaScript<R>(redis: RedisClient, name: string, lua: string, numberOfKeys: number): (...keysThenArgs: Array<string | number>) => Promise<R> {
  if (!(name in redis)) redis.defineCommand(name, { numberOfKeys, lua });
  const command = (redis as unknown as Record<string, (...args: Array<string | number>) => Promise<R>>)[name] as (
    ...args: Array<string | number>
  ) => Promise<R>;
  return (...keysThenArgs) => command.call(redis, ...keysThenArgs);
}

/**
 * The text of `.lua` files beside the code that loads them, joined in order
 * (a file of `local function`s first, then the script using them). The build
 * copies every `.lua` file of `src/` next to the compiled JavaScript, so
 * `__dirname` finds them in `src/` (tests) and `dist/` (pm2) alike.
 */
export function readLuaFiles(dir: string, ...files: string[]): string {
  return files.map((file) => readFileSync(join(dir, file), 'utf8')).join('\n');
}
