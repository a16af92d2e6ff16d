import { z } from 'zod';
import { boolEnv, enumEnv, intEnv, optionalStringEnv, portEnv, stringEnv } from '../env/coercers';
import { CommonEnv, givenRedisVariables, refineRedisTopology } from '../env/common-env';
import { DEFAULT_PORTS } from './default-ports';

/** The default of `WORKER_MAX_OLD_SPACE_MB`; the density bench starts its worker with it, as pm2 does. */
export const DEFAULT_WORKER_MAX_OLD_SPACE_MB = 384;

/**
 * The variables that shape the whole stack: read by `ecosystem.config.js` and
 * the `npm start` launcher, and (in part) by each app's own `src/env.ts`, so a
 * port's default is written in one place.
 */
export const StackEnv = CommonEnv.extend({
  /** @defaultValue 3000 */
  API_PORT: portEnv(DEFAULT_PORTS.api),
  /** Interface the API binds to. @defaultValue 127.0.0.1 */
  API_HOST: stringEnv('127.0.0.1'),
  /**
   * API processes (pm2 cluster mode); `auto` is one per two cores, at least
   * one (see resolveApiInstances). @defaultValue auto
   */
  API_INSTANCES: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.union([z.literal('auto'), z.coerce.number().int().min(1).max(64)]).default('auto'),
  ),
  /** Worker processes; `max` is one per core. @defaultValue max */
  WORKER_INSTANCES: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.union([z.literal('max'), z.coerce.number().int().min(1).max(256)]).default('max'),
  ),
  /**
   * How long a stopping API process lets in-flight requests finish. pm2's
   * `kill_timeout` for the api is derived from it (+5 s).
   * @defaultValue 10000
   */
  API_SHUTDOWN_GRACE_MS: intEnv(10_000, { min: 0, max: 600_000 }),
  /**
   * How long a stopping dashboard lets open requests finish. pm2's
   * `kill_timeout` for the dashboard is derived from it (+5 s), so raising it
   * never gets the dashboard SIGKILLed mid-cleanup.
   * @defaultValue 5000
   */
  DASHBOARD_SHUTDOWN_GRACE_MS: intEnv(5_000, { min: 0, max: 600_000 }),
  /**
   * How long a stopping worker waits for its active jobs before aborting them.
   * Must exceed the longest catalog `timeoutMs` (30 s, compute) so a job still
   * within its time can finish; pm2's `kill_timeout` for workers is derived
   * from it (+10 s for the rest of the cleanup).
   * @defaultValue 35000
   */
  WORKER_DRAIN_GRACE_MS: intEnv(35_000, { min: 0, max: 3_600_000 }),
  /**
   * V8's old-space limit of each worker process (pm2 `node_args`
   * `--max-old-space-size`), in MB. Why a limit at all: without one V8 sizes the
   * heap against the machine's memory and lets it grow through bursts of
   * finishing jobs (5,000 I/O jobs completing at once took RSS from 390 to 460 MB
   * while the live heap stayed near 140 MB); with one it collects sooner, and the
   * density bench peaked at about 310 MB at the same jobs/s. A process whose live
   * data outgrows it dies (out of memory) and pm2 restarts it, its jobs running
   * again as stalled: raise it with the concurrency of big-payload types.
   * @defaultValue 384
   */
  WORKER_MAX_OLD_SPACE_MB: intEnv(DEFAULT_WORKER_MAX_OLD_SPACE_MB, { min: 64, max: 65_536 }),
  /**
   * First metrics port of the API: process N (pm2's NODE_APP_INSTANCE) serves
   * `GET /metrics` on this + N. 0 turns the per-process metrics ports off.
   * @defaultValue 9400
   */
  API_METRICS_PORT: intEnv(DEFAULT_PORTS.apiMetrics, { min: 0, max: 65_000 }),
  /** First metrics port of the workers, as API_METRICS_PORT. @defaultValue 9500 */
  WORKER_METRICS_PORT: intEnv(DEFAULT_PORTS.workerMetrics, { min: 0, max: 65_000 }),
  /** Interface the per-process metrics ports bind to. @defaultValue 127.0.0.1 */
  METRICS_HOST: stringEnv('127.0.0.1'),
  /**
   * Let page-extract reach loopback, private, link-local and other internal
   * addresses. Off, a job cannot be used to probe the network the worker sits
   * in (SSRF) or read cloud metadata: the API refuses such URLs at enqueue
   * (422) and the worker checks every address it connects to. Turn it on only
   * for local development.
   * @defaultValue false
   */
  PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS: boolEnv(false),
  /**
   * Forward proxies page-extract fetches through, comma-separated
   * `http://user:pass@host:port` (parsed by `loadProxyList` in
   * `@floodgate/shared/proxies`, whose errors never quote credentials). Unset,
   * with FETCH_PROXIES_FILE unset too: pages are fetched directly. The worker
   * rotates over them; the API lists them at `GET /v1/proxies`.
   */
  FETCH_PROXIES: optionalStringEnv(),
  /** A file of proxy URLs, one per line (`#` comments allowed), used with or instead of FETCH_PROXIES. */
  FETCH_PROXIES_FILE: optionalStringEnv(),
  /** API key records as a JSON array (`[{id, name, scopes, hash}]`), for containers and CI. Never keys themselves. */
  API_KEYS: optionalStringEnv(),
  /** File of API key records, written by `npm run keys:create`. @defaultValue .data/api-keys.json */
  API_KEYS_FILE: stringEnv('.data/api-keys.json'),
  /**
   * Let every API request through without a key (local development only).
   * Refused when NODE_ENV is production; logged loudly at start otherwise.
   * @defaultValue false
   */
  AUTH_DISABLED: boolEnv(false),
  /** `production` turns development conveniences into refusals (AUTH_DISABLED, generated or weak passwords). */
  NODE_ENV: optionalStringEnv(),
  /** Set by pm2 for each process of an app (0, 1, …); picks the metrics port. @defaultValue 0 */
  NODE_APP_INSTANCE: intEnv(0, { min: 0, max: 1_000 }),
  /** @defaultValue 3001 */
  DASHBOARD_PORT: portEnv(DEFAULT_PORTS.dashboard),
  /** Interface the dashboard binds to. @defaultValue 127.0.0.1 */
  DASHBOARD_HOST: stringEnv('127.0.0.1'),
  /** The dashboard admin's user name. @defaultValue admin */
  DASHBOARD_USER: stringEnv('admin'),
  /** The admin's password. Unset (not in production): `npm start` generates one and prints it once. */
  DASHBOARD_PASSWORD: optionalStringEnv(),
  /** The read-only viewer's user name. @defaultValue viewer */
  DASHBOARD_VIEWER_USER: stringEnv('viewer'),
  /** The viewer's password. Unset (not in production): generated and printed like the admin's. */
  DASHBOARD_VIEWER_PASSWORD: optionalStringEnv(),
  /**
   * Key of the HMAC that signs dashboard session cookies. Anyone who knows it
   * can sign in as anyone; changing it signs everybody out. Unset (not in
   * production): `npm start` generates one per run.
   */
  DASHBOARD_SESSION_SECRET: optionalStringEnv(),
  /**
   * The embedded Redis `npm start` runs when no Redis is given: `single` (one
   * node on REDIS_PORT), `cluster` (3 primaries + 3 replicas on REDIS_PORT..+5)
   * or `sentinel` (primary and 2 replicas on REDIS_PORT..+2, 3 sentinels on
   * REDIS_PORT+20000..+20002). Refused together with REDIS_URL,
   * REDIS_CLUSTER_NODES or REDIS_SENTINELS.
   * @defaultValue single
   */
  REDIS_TOPOLOGY: enumEnv(['single', 'cluster', 'sentinel'], 'single'),
  /** Where the embedded Redis keeps its append-only file, relative to the repo root or absolute. @defaultValue .data/redis */
  REDIS_DATA_DIR: stringEnv('.data/redis'),
  /** `maxmemory` of the embedded Redis (Redis syntax: 512mb, 2gb). @defaultValue 512mb */
  REDIS_MAXMEMORY: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.string().regex(/^\d+(kb|mb|gb)?$/i, 'must be a size such as 512mb or 2gb').default('512mb'),
  ),
});
export type StackEnv = z.infer<typeof StackEnv>;

/**
 * The stack's variables as `npm start` and ecosystem.config.js read them: the
 * Redis variables must name one topology, and REDIS_TOPOLOGY (which runs a
 * local Redis) means nothing next to a given one.
 */
export const LaunchEnv = StackEnv.superRefine(refineRedisTopology).superRefine((env, ctx) => {
  if (env.REDIS_TOPOLOGY !== 'single' && givenRedisVariables(env).length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_TOPOLOGY'],
      message: 'REDIS_TOPOLOGY runs a local Redis for npm start; unset it when REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS names a Redis to use',
    });
  }
});
