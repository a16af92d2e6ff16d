import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../redis/create-redis';
import { readLuaFiles } from '../redis/lua-script';

/**
 * The fairness scripts, each a `.lua` file of its own joined behind
 * fair-lib.lua (the local functions they share), defined once per connection
 * under a `floodgateFair…` name, so they also run inside pipelines.
 */
const SCRIPTS = {
  add: { file: 'fair-add.lua', keys: 6 },
  settle: { file: 'fair-settle.lua', keys: 6 },
  register: { file: 'fair-register.lua', keys: 1 },
  adopt: { file: 'fair-adopt.lua', keys: 6 },
  forget: { file: 'fair-forget.lua', keys: 1 },
  pause: { file: 'fair-pause.lua', keys: 5 },
  reconcile: { file: 'fair-reconcile.lua', keys: 1 },
  held: { file: 'fair-held.lua', keys: 1 },
} as const;

export type FairScriptName = keyof typeof SCRIPTS;

type Args = Array<string | number>;
type Command = (...keysThenArgs: Args) => Promise<unknown>;

const texts = new Map<FairScriptName, string>();

function commandName(script: FairScriptName): string {
  return `floodgateFair${script[0]!.toUpperCase()}${script.slice(1)}`;
}

/** Defines every fairness script on `redis` (once per connection). */
export function defineFairScripts(redis: RedisClient): void {
  for (const [script, { file, keys }] of Object.entries(SCRIPTS) as Array<[FairScriptName, { file: string; keys: number }]>) {
    const name = commandName(script);
    if (name in redis) continue;
    let lua = texts.get(script);
    if (lua === undefined) {
      lua = readLuaFiles(__dirname, 'fair-lib.lua', file);
      texts.set(script, lua);
    }
    redis.defineCommand(name, { numberOfKeys: keys, lua });
  }
}

/**
 * Runs a fairness script on `redis`, or queues it on `pipeline`: a pipeline
 * of `redis` made after {@link defineFairScripts} (ioredis copies a
 * connection's scripts into each pipeline it makes).
 */
export function runFairScript(redis: RedisClient, script: FairScriptName, keysThenArgs: Args, pipeline?: ChainableCommander): Promise<unknown> {
  defineFairScripts(redis);
  const target = pipeline ?? redis;
  const command = (target as unknown as Record<string, Command>)[commandName(script)];
  if (!command) throw new Error(`the fairness scripts were defined on the connection after this pipeline was made (${script})`);
  return command.apply(target, keysThenArgs);
}
