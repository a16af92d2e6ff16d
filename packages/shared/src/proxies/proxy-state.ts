import type { RedisClient } from '../redis/create-redis';
import { z } from 'zod';
import { proxyCheckLockKey, proxyRegistryKey, proxyStateKey } from '../redis/keys';
import { luaScript, readLuaFiles } from '../redis/lua-script';
import type { ProxyEndpoint } from './proxy-list';

/**
 * Each proxy's health, shared by every worker process through Redis and read by `GET /v1/proxies` (keys: redis/keys.ts).
 * Every write renews the hash's TTL (at least to its cool-down's end), so a proxy unused for that long is forgotten.
 */

/** Read once per process; the store defines them once per connection (EVALSHA). The TTL helper is shared. */
const RECORD_SUCCESS = readLuaFiles(__dirname, 'renew-proxy-entry.lua', 'record-success.lua');
const RECORD_FAILURE = readLuaFiles(__dirname, 'renew-proxy-entry.lua', 'record-failure.lua');

/** What one process needs to pick exits: the cool-down, as the last write left it. */
export interface ProxyHealth {
  /** Epoch ms until which the proxy is skipped; 0 or past when healthy. */
  coolUntil: number;
  /** Cool-downs in a row without a success in between: the exponent of the next one. */
  strikes: number;
  /** When the current cool-down began; successes of requests started before it do not end it. */
  cooledAt: number;
}

/** `GET /v1/proxies`: one proxy as the API shows it. Never credentials. */
export const ProxyStatus = z.object({
  id: z.string().describe('Redis-safe id (`127.0.0.1_8080`).'),
  proxy: z.string().describe('`host:port`, as results and metrics name it.'),
  url: z.string().describe('The URL with credentials masked (`http://***:***@host:port`).'),
  state: z.enum(['healthy', 'cooling']),
  configured: z.boolean().describe("Whether this process's configuration lists it (workers may run with another list)."),
  successes: z.number().int(),
  failures: z.number().int(),
  revivals: z.number().int().describe('Cool-downs ended by the background health check.'),
  strikes: z.number().int().describe('Consecutive cool-downs: the next one lasts base × 2^strikes, up to the maximum.'),
  lastError: z.string().nullable(),
  lastErrorAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  coolingUntil: z.string().nullable().describe('When the current cool-down ends (ISO time), or null when healthy.'),
});
export type ProxyStatus = z.infer<typeof ProxyStatus>;

export interface RecordFailure {
  /** Short, credential-free description (`connect ECONNREFUSED 10.0.0.5:3128`, `target answered 429`). */
  error: string;
  /** Start (or extend, when already cooling: it does not) a cool-down. False: count the failure only. */
  cool: boolean;
  cooldownBaseMs: number;
  cooldownMaxMs: number;
}

/** Reads and writes proxy health; one per process, on its worker connection. */
export class ProxyStateStore {
  private readonly success: (...keysThenArgs: Array<string | number>) => Promise<string[]>;
  private readonly failure: (...keysThenArgs: Array<string | number>) => Promise<string[]>;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    /** How long a proxy's hash outlives its last write. @defaultValue 3600000 (1 h) */
    private readonly ttlMs = 3_600_000,
  ) {
    this.success = luaScript(redis, 'floodgateProxySuccess', RECORD_SUCCESS, 2);
    this.failure = luaScript(redis, 'floodgateProxyFailure', RECORD_FAILURE, 2);
  }

  /**
   * A request through `endpoint` that began at `startedAt` worked. Ends a
   * cool-down (and resets the strikes) unless the cool-down began after the
   * request did: a slow success from before an outage does not cancel it.
   */
  async recordSuccess(endpoint: ProxyEndpoint, startedAt: number, options: { revival?: boolean; now?: number } = {}): Promise<ProxyHealth> {
    const now = options.now ?? Date.now();
    const counter = options.revival ? 'revivals' : 'successes';
    const reply = await this.success(
      proxyStateKey(this.prefix, endpoint.id),
      proxyRegistryKey(this.prefix),
      ...[now, startedAt, this.ttlMs, endpoint.hostPort, endpoint.masked, endpoint.id, counter],
    );
    return healthOf(reply);
  }

  /**
   * A request through `endpoint` failed because of it. With `cool`, a proxy
   * that is not cooling yet starts a cool-down of base × 2^(strikes), capped at
   * the maximum; failures while it already cools (the other requests that were
   * in flight when it went down) neither extend nor escalate it.
   */
  async recordFailure(endpoint: ProxyEndpoint, failure: RecordFailure, now = Date.now()): Promise<ProxyHealth & { newlyCooled: boolean }> {
    const reply = await this.failure(proxyStateKey(this.prefix, endpoint.id), proxyRegistryKey(this.prefix), ...[
      now,
      failure.cool ? 1 : 0,
      failure.cooldownBaseMs,
      failure.cooldownMaxMs,
      this.ttlMs,
      endpoint.hostPort,
      endpoint.masked,
      endpoint.id,
      failure.error.slice(0, 500),
    ]);
    const health = healthOf(reply);
    return { ...health, newlyCooled: failure.cool && health.cooledAt === now };
  }

  /** The health of each endpoint, in order (healthy for those with no hash). One round trip. */
  async readHealth(endpoints: readonly ProxyEndpoint[]): Promise<ProxyHealth[]> {
    if (endpoints.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const endpoint of endpoints) pipeline.hmget(proxyStateKey(this.prefix, endpoint.id), 'coolUntil', 'strikes', 'cooledAt');
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([err, values]) => {
      if (err) throw err;
      const [coolUntil, strikes, cooledAt] = values as Array<string | null>;
      return { coolUntil: Number(coolUntil ?? 0), strikes: Number(strikes ?? 0), cooledAt: Number(cooledAt ?? 0) };
    });
  }

  /** Takes the health-check turn of one proxy for `ttlMs`; false when another process has it. */
  async claimCheck(endpoint: ProxyEndpoint, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(proxyCheckLockKey(this.prefix, endpoint.id), String(process.pid), 'PX', ttlMs, 'NX')) === 'OK';
  }
}

/**
 * Every proxy known to Redis (used by some worker within the TTL) plus the
 * `configured` ones, sorted by `host:port`. What `GET /v1/proxies` answers.
 */
export async function listProxyStatuses(
  redis: RedisClient,
  prefix: string,
  configured: readonly ProxyEndpoint[] = [],
  now = Date.now(),
): Promise<ProxyStatus[]> {
  const known = await redis.zrangebyscore(proxyRegistryKey(prefix), now, '+inf');
  const configuredById = new Map(configured.map((endpoint) => [endpoint.id, endpoint]));
  const ids = [...new Set([...configured.map((endpoint) => endpoint.id), ...known])];
  if (ids.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hgetall(proxyStateKey(prefix, id));
  const replies = (await pipeline.exec()) ?? [];
  const statuses: ProxyStatus[] = [];
  ids.forEach((id, index) => {
    const [err, value] = replies[index] ?? [null, {}];
    if (err) throw err;
    const hash = (value ?? {}) as Record<string, string | undefined>;
    const endpoint = configuredById.get(id);
    // A registry entry whose hash expired in between: nothing left to show.
    if (!endpoint && hash.proxy === undefined) return;
    const coolUntil = Number(hash.coolUntil ?? 0);
    statuses.push({
      id,
      proxy: endpoint?.hostPort ?? hash.proxy ?? id,
      url: endpoint?.masked ?? hash.url ?? '',
      state: coolUntil > now ? 'cooling' : 'healthy',
      configured: endpoint !== undefined,
      successes: Number(hash.successes ?? 0),
      failures: Number(hash.failures ?? 0),
      revivals: Number(hash.revivals ?? 0),
      strikes: Number(hash.strikes ?? 0),
      lastError: hash.lastError ?? null,
      lastErrorAt: isoOrNull(hash.lastErrorAt),
      lastSuccessAt: isoOrNull(hash.lastSuccessAt),
      coolingUntil: coolUntil > now ? new Date(coolUntil).toISOString() : null,
    });
  });
  return statuses.sort((a, b) => a.proxy.localeCompare(b.proxy));
}

function isoOrNull(ms: string | undefined): string | null {
  const value = Number(ms ?? 0);
  return value > 0 ? new Date(value).toISOString() : null;
}

/** The scripts' reply: coolUntil, strikes and cooledAt, as strings. */
function healthOf(reply: string[]): ProxyHealth {
  const [coolUntil = 0, strikes = 0, cooledAt = 0] = reply.map(Number);
  return { coolUntil, strikes, cooledAt };
}
