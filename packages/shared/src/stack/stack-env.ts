import { z } from 'zod';
import { boolEnv, enumEnv, intEnv, optionalStringEnv, portEnv, stringEnv } from '../env/coercers';
import { CommonEnv, givenRedisVariables, refineRedisTopology } from '../env/common-env';
import { trustProxyEnv } from '../env/trust-proxy-env';
import { DEFAULT_PORTS } from './default-ports';

/** The default of `WORKER_MAX_OLD_SPACE_MB`; the density bench starts its worker with it, as pm2 does. */
export const DEFAULT_WORKER_MAX_OLD_SPACE_MB = 384;

/**
 * The variables that shape the whole stack: read by `ecosystem.config.js` and
 * the `npm start` launcher, and (in part) by each app's own `src/env.ts`, so a
 * port's default is written in one place.
 */
export const StackEnv = CommonEnv.extend({
  API_PORT: portEnv(DEFAULT_PORTS.api).describe('Port the API listens on.'),
  API_HOST: stringEnv('127.0.0.1').describe('Interface the API binds to (0.0.0.0: every interface).'),
  /** `auto` is one per two cores, at least one (see resolveApiInstances): on two cores a second only adds contention. */
  API_INSTANCES: z
    .preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z.union([z.literal('auto'), z.coerce.number().int().min(1).max(64)]).default('auto'),
    )
    .describe('API processes under pm2 (cluster mode), 1-64; auto is one per two cores, at least one.'),
  WORKER_INSTANCES: z
    .preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z.union([z.literal('max'), z.coerce.number().int().min(1).max(256)]).default('max'),
    )
    .describe('Worker processes under pm2, 1-256; max is one per core.'),
  /** pm2's `kill_timeout` for the api is derived from it (+5 s). */
  API_SHUTDOWN_GRACE_MS: intEnv(10_000, { min: 0, max: 600_000 }).describe("Time in-flight requests get at shutdown (ms); pm2's kill_timeout is this + 5 s."),
  /**
   * pm2's `kill_timeout` for the dashboard is derived from it (+5 s), so raising
   * it never gets the dashboard SIGKILLed mid-cleanup.
   */
  DASHBOARD_SHUTDOWN_GRACE_MS: intEnv(5_000, { min: 0, max: 600_000 }).describe("Time open dashboard requests get at shutdown (ms); pm2's kill_timeout is this + 5 s."),
  /**
   * Must exceed the longest catalog `timeoutMs` (30 s, compute) so a job still
   * within its time can finish; pm2's `kill_timeout` for workers is derived
   * from it (+10 s for the rest of the cleanup).
   */
  WORKER_DRAIN_GRACE_MS: intEnv(35_000, { min: 0, max: 3_600_000 }).describe(
    "Time active jobs get to finish at shutdown (ms), above the longest job timeout; pm2's kill_timeout is this + 10 s.",
  ),
  /**
   * Without a limit V8 sizes the heap to the machine and lets RSS grow through bursts of finishing jobs (docs/benchmarks.md,
   * density). A process outgrowing it dies and pm2 restarts it (its jobs rerun as stalled): raise it for big-payload types.
   */
  WORKER_MAX_OLD_SPACE_MB: intEnv(DEFAULT_WORKER_MAX_OLD_SPACE_MB, { min: 64, max: 65_536 }).describe(
    "Each worker process's V8 old-space limit in MB (--max-old-space-size): bounds memory through bursts of finishing jobs.",
  ),
  /** One port per process, not one shared: in pm2 cluster mode a shared one would answer from a random process each time. */
  API_METRICS_PORT: intEnv(DEFAULT_PORTS.apiMetrics, { min: 0, max: 65_000 }).describe('First metrics port of the API: process N serves /metrics on this + N (pm2 NODE_APP_INSTANCE); 0 turns them off.'),
  /** Answered by a thread of its own: a process shedding a flood keeps its main loop too busy for a quick probe. */
  API_HEALTH_PORT: intEnv(DEFAULT_PORTS.apiHealth, { min: 0, max: 65_000 }).describe(
    'First liveness port of the API: process N answers GET /healthz on this + N from a thread of its own, fast even under a flood; 0 turns it off.',
  ),
  WORKER_METRICS_PORT: intEnv(DEFAULT_PORTS.workerMetrics, { min: 0, max: 65_000 }).describe(
    'First metrics port of the workers: process N serves /metrics, /healthz and /readyz on this + N; 0 turns them off.',
  ),
  METRICS_HOST: stringEnv('127.0.0.1').describe('Interface the per-process metrics and liveness ports bind to.'),
  /**
   * Off, a job cannot be used to probe the network the worker sits in (SSRF)
   * or read cloud metadata: the API refuses such URLs at enqueue (422) and the
   * worker checks every address it connects to.
   */
  PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS: boolEnv(false).describe('Let page fetches (page-extract, every type with fetchesPages) and urlFields reach loopback, private and link-local addresses (local development only).'),
  /**
   * Parsed by `loadProxyList` in `@floodgate/shared/proxies`, whose errors never
   * quote credentials. The worker rotates over them; the API lists them at `GET /v1/proxies`.
   */
  FETCH_PROXIES: optionalStringEnv().describe(
    'Forward proxies of page fetches (page-extract, every type with fetchesPages), comma-separated http://user:pass@host:port; unset (and no file): pages are fetched directly.',
  ),
  FETCH_PROXIES_FILE: optionalStringEnv().describe('A file of proxy URLs, one per line (# comments allowed), with or instead of FETCH_PROXIES.'),
  API_KEYS: optionalStringEnv().describe('API key records as a JSON array [{id, name, scopes, hash}], for containers and CI; never keys themselves.'),
  API_KEYS_FILE: stringEnv('.data/api-keys.json').describe('File of API key records (mode 0600), written by npm run keys:create.'),
  AUTH_DISABLED: boolEnv(false).describe('Let every API request through without a key (local development only); logged loudly, refused with NODE_ENV=production.'),
  /**
   * Behind a load balancer or reverse proxy every request comes from the
   * proxy's address: per-address rate limits (AUTH_DISABLED), a tenant without
   * a key, the dashboard's login back-off and the logs would all see one
   * client. Trusting the proxy lets them read X-Forwarded-For instead; trusting
   * hops that are not proxies lets any client pick its own address.
   */
  TRUST_PROXY: trustProxyEnv().describe(
    'Which proxies may name the client in X-Forwarded-For (API and dashboard): false, true (every hop), a hop count (1: the nearest), or addresses and CIDR ranges, comma-separated.',
  ),
  NODE_ENV: optionalStringEnv().describe('production turns development conveniences (AUTH_DISABLED, generated or weak passwords) into refusals.'),
  NODE_APP_INSTANCE: intEnv(0, { min: 0, max: 1_000 }).describe('Set by pm2 for each process of an app (0, 1, ...); picks its metrics port.'),
  OVERVIEW_FLUSH_MS: intEnv(5_000, { min: 100, max: 60_000 }).describe("How often each API and worker process writes its figures to the overview's history in Redis (ms)."),
  DASHBOARD_PORT: portEnv(DEFAULT_PORTS.dashboard).describe('Port the dashboard listens on.'),
  DASHBOARD_HOST: stringEnv('127.0.0.1').describe('Interface the dashboard binds to.'),
  DASHBOARD_USER: stringEnv('admin').describe("The dashboard admin's user name."),
  DASHBOARD_PASSWORD: optionalStringEnv().describe("The admin's password; unset (not in production): generated at start and printed once."),
  DASHBOARD_VIEWER_USER: stringEnv('viewer').describe("The read-only viewer's user name."),
  DASHBOARD_VIEWER_PASSWORD: optionalStringEnv().describe("The viewer's password; unset (not in production): generated like the admin's."),
  /** Anyone who knows it can sign in as anyone; changing it signs everybody out. */
  DASHBOARD_SESSION_SECRET: optionalStringEnv().describe(
    'Key of the HMAC that signs session cookies (32+ characters, required in production); unset: generated per start.',
  ),
  /**
   * `single` is one node on REDIS_PORT, `cluster` 3 primaries + 3 replicas on
   * REDIS_PORT..+5, `sentinel` a primary and 2 replicas on REDIS_PORT..+2 with
   * 3 sentinels on REDIS_PORT+20000..+20002.
   */
  REDIS_TOPOLOGY: enumEnv(['single', 'cluster', 'sentinel'], 'single').describe(
    'The embedded Redis npm start runs when none is given: single, cluster (3+3 nodes) or sentinel; refused next to a given Redis.',
  ),
  REDIS_DATA_DIR: stringEnv('.data/redis').describe("Where the embedded Redis keeps its append-only file, relative to the repo root or absolute."),
  REDIS_MAXMEMORY: z
    .preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z.string().regex(/^\d+(kb|mb|gb)?$/i, 'must be a size such as 512mb or 2gb').default('512mb'),
    )
    .describe('maxmemory of the embedded Redis (512mb, 2gb).'),
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
