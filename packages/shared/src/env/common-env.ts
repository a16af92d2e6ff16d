import { z } from 'zod';
import { parseHostPortList, type RedisTarget } from '../redis/redis-target';
import { DEFAULT_PORTS } from '../stack/default-ports';
import { fairnessEnv, partitionsEnv } from '../jobs/per-type-env';
import { enumEnv, intEnv, optionalBoolEnv, optionalStringEnv, portEnv, redisUrlEnv, stringEnv } from './coercers';

/** `host:port,host:port,...`, or absent. */
function hostPortListEnv() {
  return optionalStringEnv().superRefine((value, ctx) => {
    if (value === undefined) return;
    try {
      parseHostPortList(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });
}

/**
 * Variables every floodgate process reads. Each app extends this with its own
 * in `src/env.ts`, and adds `.superRefine(refineRedisTopology)` so a wrong
 * combination of the Redis variables is refused at start.
 */
export const CommonEnv = z.object({
  REDIS_URL: redisUrlEnv().describe(
    'One Redis: a redis:// or rediss:// (TLS) URL, with optional user:password@ and /db. Unset (and no cluster or sentinels): the embedded Redis.',
  ),
  REDIS_PORT: portEnv(DEFAULT_PORTS.redis).describe('Port of the embedded Redis (the first node of a local cluster or sentinel topology); only used when no Redis is given.'),
  REDIS_CLUSTER_NODES: hostPortListEnv().describe('A Redis Cluster: some of its nodes, host:port,host:port,... (the rest are discovered).'),
  REDIS_SENTINELS: hostPortListEnv().describe('Sentinels watching the primary, host:port,host:port,...; needs REDIS_SENTINEL_MASTER.'),
  REDIS_SENTINEL_MASTER: optionalStringEnv().describe('The name the sentinels know the primary by (sentinel monitor <name> ...).'),
  REDIS_USERNAME: optionalStringEnv().describe('ACL user of the cluster or sentinel-managed nodes (one Redis takes it in REDIS_URL).'),
  REDIS_PASSWORD: optionalStringEnv().describe('Password of the cluster or sentinel-managed nodes (one Redis takes it in REDIS_URL).'),
  REDIS_TLS: optionalBoolEnv().describe('TLS to the cluster or sentinel-managed nodes (one Redis: rediss://). Unset: off.'),
  /**
   * Each queue carries its own hash tag after the prefix, so queues spread over
   * a cluster's slots; braces here (the old default, `{floodgate}`) pin every
   * key to one slot instead, as before.
   */
  QUEUE_PREFIX: stringEnv('floodgate').describe(
    'Prefix of every floodgate key. With braces ({floodgate}, the old default) every key shares one slot and queue names stay bare: set it so to keep jobs queued by an earlier version.',
  ),
  QUEUE_PARTITIONS: partitionsEnv().describe("Partition queues per type, type=N,... (1-64, e.g. sentiment=6); unset: the catalog's (1 each). Give every process the same value."),
  /**
   * How often each process reads the partitions' high-water mark, to open (and
   * for workers, consume) partitions another process's larger QUEUE_PARTITIONS added.
   */
  QUEUE_PARTITIONS_CHECK_MS: intEnv(10_000, { min: 100, max: 600_000 }).describe(
    "How often each process reads the partitions' high-water mark (ms), to open partitions a larger QUEUE_PARTITIONS elsewhere added.",
  ),
  /**
   * The API adds a fair type's jobs to their tenants' lanes; every process must
   * be given the same value (workers drain lanes either way, so a mismatch
   * delays jobs, never strands them).
   */
  QUEUE_FAIRNESS: fairnessEnv().describe("Fair shares between tenants: on, off, or type=on|off,... (compute=off); unset: the catalog's (on for every type). Give every process the same value."),
  LOG_LEVEL: enumEnv(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info').describe('pino log level: fatal, error, warn, info, debug, trace or silent.'),
});
export type CommonEnv = z.infer<typeof CommonEnv>;

/** The variables that say where Redis is; {@link refineRedisTopology} checks they make sense together. */
export type RedisEnv = Pick<
  CommonEnv,
  'REDIS_URL' | 'REDIS_PORT' | 'REDIS_CLUSTER_NODES' | 'REDIS_SENTINELS' | 'REDIS_SENTINEL_MASTER' | 'REDIS_USERNAME' | 'REDIS_PASSWORD' | 'REDIS_TLS'
>;

/** For `Schema.pick(...)`: every Redis connection variable. */
export const REDIS_ENV_KEYS = {
  REDIS_URL: true,
  REDIS_PORT: true,
  REDIS_CLUSTER_NODES: true,
  REDIS_SENTINELS: true,
  REDIS_SENTINEL_MASTER: true,
  REDIS_USERNAME: true,
  REDIS_PASSWORD: true,
  REDIS_TLS: true,
} as const;

/** The variables that each name a Redis to use: one node, a cluster, sentinels. */
const REDIS_GIVEN_BY = ['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'] as const;

/**
 * Which of REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS are set (the env
 * parser has already turned blank ones into unset). None means no Redis was
 * given, so `npm start` runs its own; more than one is refused by
 * {@link refineRedisTopology}. The one place that decides "was a Redis given".
 */
export function givenRedisVariables(env: Pick<RedisEnv, (typeof REDIS_GIVEN_BY)[number]>): Array<(typeof REDIS_GIVEN_BY)[number]> {
  return REDIS_GIVEN_BY.filter((name) => env[name] !== undefined);
}

/**
 * Refuses combinations of the Redis variables that name more than one
 * topology, or half of one, with a message naming the variables. For
 * `.superRefine` on each app's env schema.
 */
export function refineRedisTopology(env: RedisEnv, ctx: z.RefinementCtx): void {
  const given = givenRedisVariables(env);
  if (given.length > 1) {
    ctx.addIssue({
      code: 'custom',
      path: [given[1]!],
      message: `${given.join(' and ')} name different Redis topologies; set only one (REDIS_URL: one node, REDIS_CLUSTER_NODES: a cluster, REDIS_SENTINELS: sentinels)`,
    });
  }
  if (env.REDIS_SENTINELS !== undefined && env.REDIS_SENTINEL_MASTER === undefined) {
    ctx.addIssue({ code: 'custom', path: ['REDIS_SENTINEL_MASTER'], message: 'REDIS_SENTINELS needs REDIS_SENTINEL_MASTER, the name the sentinels know the primary by' });
  }
  if (env.REDIS_SENTINEL_MASTER !== undefined && env.REDIS_SENTINELS === undefined) {
    ctx.addIssue({ code: 'custom', path: ['REDIS_SENTINEL_MASTER'], message: 'REDIS_SENTINEL_MASTER is only used with REDIS_SENTINELS' });
  }
  if (env.REDIS_CLUSTER_NODES === undefined && env.REDIS_SENTINELS === undefined) {
    for (const name of ['REDIS_USERNAME', 'REDIS_PASSWORD', 'REDIS_TLS'] as const) {
      if (env[name] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `${name} is for REDIS_CLUSTER_NODES or REDIS_SENTINELS; a single Redis takes its user, password and TLS in REDIS_URL (rediss://user:password@host:port)`,
        });
      }
    }
  }
}

/** Where a process's Redis is, from its (already refined) environment. */
export function resolveRedisTarget(env: RedisEnv): RedisTarget {
  const auth = {
    ...(env.REDIS_USERNAME === undefined ? {} : { username: env.REDIS_USERNAME }),
    ...(env.REDIS_PASSWORD === undefined ? {} : { password: env.REDIS_PASSWORD }),
    tls: env.REDIS_TLS ?? false,
  };
  if (env.REDIS_CLUSTER_NODES !== undefined) return { topology: 'cluster', nodes: parseHostPortList(env.REDIS_CLUSTER_NODES), ...auth };
  if (env.REDIS_SENTINELS !== undefined) {
    return { topology: 'sentinel', sentinels: parseHostPortList(env.REDIS_SENTINELS), masterName: env.REDIS_SENTINEL_MASTER ?? '', ...auth };
  }
  return { topology: 'single', url: resolveRedisUrl(env) };
}

/** The single-node Redis URL: REDIS_URL, or the embedded Redis. */
export function resolveRedisUrl(env: Pick<CommonEnv, 'REDIS_URL' | 'REDIS_PORT'>): string {
  return env.REDIS_URL ?? `redis://127.0.0.1:${env.REDIS_PORT}`;
}
