import { catalog, fairTypes, jobTypes, tenantBacklogCapOf, type JobType } from '@floodgate/shared/jobs';
import type { Logger } from '@floodgate/shared/logger';
import type { IncomingMessage, RequestListener } from 'node:http';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { RedisClient } from '@floodgate/shared/redis';
import type { Registry } from 'prom-client';
import { measureRequests, type HttpMetrics } from './metrics/http-metrics';
import { errorHandler, notFound } from './http/error-handler';
import type { Admission } from './admission/admission';
import type { JobWaiter } from './waiting/job-waiter';
import type { JobQueues } from './redis/queues';
import { jsonNestsDeeperThan, jsonTooDeep, MAX_JSON_DEPTH } from './http/json-depth';
import { requestLogger } from './http/request-logger';
import type { Authenticator } from './auth/authenticator';
import { requireAuth } from './auth/require-auth';
import { createJobAdder, type ReplicationAck } from './coalesce/job-adder';
import { tracedJobAdder } from './coalesce/traced-job-adder';
import { traceRequests, type Tracing } from '@floodgate/shared/tracing';
import type { AofAck } from './durability/aof-ack';
import { createEnqueuePipeline, type EnqueuePipeline } from './enqueue/enqueue-pipeline';
import { createRequestParser } from './enqueue/parse-request';
import { createPayloadPolicy } from './enqueue/payload-policy';
import type { FetchTargetPolicy } from '@floodgate/shared/fetch-target';
import type { TrustProxy } from '@floodgate/shared/env';
import type { ProxyEndpoint } from '@floodgate/shared/proxies';
import { leanEnqueueListener, leanRouteOf } from './fast-path/lean-enqueue';
import { matchRoute } from '@floodgate/shared/wire';
import { bulkJobsHandlers } from './routes/bulk-jobs';
import { docsFilesRouter, docsHandlers } from './routes/docs';
import { healthHandlers } from './routes/health';
import { jobEventsHandlers } from './routes/job-events';
import { jobTypesHandlers } from './routes/job-types';
import { clientAddressReader, trustProxyRuleOf } from './http/client-address';
import { JSON_MEDIA_TYPES } from './http/request-params';
import { jobsHandlers } from './routes/jobs';
import { metricsHandlers } from './routes/metrics';
import { mountRoutes } from './routes/mount-routes';
import { proxiesHandlers } from './routes/proxies';
import { queuesHandlers } from './routes/queues';
import type { RouteHandlers } from './routes/route-handlers';
import { schedulesHandlers } from './routes/schedules';
import { tenantsHandlers } from './routes/tenants';
import { workersHandlers } from './routes/workers';

/** Most jobs one bulk request may carry, unless API_BULK_MAX_JOBS says otherwise. */
const DEFAULT_BULK_MAX_JOBS = 1_000;
/** A day, like the payment APIs that made the header common. */
const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 86_400;

export interface AppDeps {
  /** One BullMQ Queue per job type, on `redis`. */
  queues: JobQueues;
  /** The producer connection (fail-fast), also used by `/readyz`. */
  redis: RedisClient;
  /** BullMQ key prefix (QUEUE_PREFIX), for keys the API reads itself (worker heartbeats). */
  prefix: string;
  logger: Logger;
  /** Largest accepted body in bytes; larger ones get 413. */
  bodyLimitBytes: number;
  /** Most jobs one bulk request may carry. @defaultValue 1000 */
  bulkMaxJobs?: number;
  /** How long an Idempotency-Key's record is kept (IDEMPOTENCY_TTL), in seconds. @defaultValue 86400 (24 h) */
  idempotencyTtlSeconds?: number;
  /** Replicas that must hold a job before its 202 (REDIS_ACK_REPLICAS, REDIS_ACK_TIMEOUT_MS). @defaultValue none */
  replicationAck?: ReplicationAck;
  /** Wakes `?wait=` requests when their job finishes. */
  waiter: JobWaiter;
  /** Admission control for new jobs (rate, backlog, Redis memory, event loop). */
  admission: Admission;
  /** REDIS_ACK_FSYNC: what a new job waits for after its write, before its 202. @defaultValue none (the write's reply) */
  aofAck?: AofAck;
  /** SSRF protection for page-extract URLs (PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS). @defaultValue private networks refused */
  fetchTargetPolicy?: FetchTargetPolicy;
  /** page-extract's proxies (FETCH_PROXIES / FETCH_PROXIES_FILE), listed by `GET /v1/proxies`. @defaultValue those the workers report in Redis */
  proxies?: readonly ProxyEndpoint[];
  /** Who may call what: API keys and their scopes (or everyone, with AUTH_DISABLED). */
  auth: Authenticator;
  /** The process's metrics registry, served at `/metrics`. */
  registry: Registry;
  httpMetrics: HttpMetrics;
  /** OpenTelemetry, when on: each request and each job it adds become spans. @defaultValue off */
  tracing?: Tracing | undefined;
  /**
   * Which types are fair (QUEUE_FAIRNESS) and each one's tenant backlog cap (API_TENANT_BACKLOG_CAP).
   * @defaultValue the catalog's
   */
  fairness?: Fairness;
  /**
   * Which proxies may name the client in X-Forwarded-For (TRUST_PROXY): the
   * address rate limits and keyless tenants count by, on both paths.
   * @defaultValue false (the peer's address)
   */
  trustProxy?: TrustProxy;
}

/** Fair shares as the API applies them: which types, and how many of one tenant's jobs may wait. */
export interface Fairness {
  fair: Readonly<Record<JobType, boolean>>;
  tenantBacklogCaps: Readonly<Record<JobType, number>>;
}

/**
 * The catalog's fairness, with per-type overrides from the environment: a
 * tenant's backlog cap is API_TENANT_BACKLOG_CAP, else the catalog's, else a
 * quarter of the type's whole backlog cap (API_BACKLOG_CAP, else the catalog's).
 */
export function fairnessOf(
  overrides: { fair?: Readonly<Record<string, boolean>>; tenantBacklogCaps?: Readonly<Record<string, number>>; backlogCaps?: Readonly<Record<string, number>> } = {},
): Fairness {
  const tenantCap = (type: JobType) =>
    overrides.tenantBacklogCaps?.[type] ?? tenantBacklogCapOf(catalog[type], overrides.backlogCaps?.[type] ?? catalog[type].backlogCap);
  return {
    fair: fairTypes(overrides.fair),
    tenantBacklogCaps: Object.fromEntries(jobTypes.map((type) => [type, tenantCap(type)])) as Record<JobType, number>,
  };
}

/**
 * The API's HTTP listener: the lean path for plain single enqueues, in front
 * of the express app (see fast-path/lean-enqueue.ts). Both are adapters over
 * one enqueue pipeline. `app` is returned too, for tests that look at its routes.
 */
export function createApiListener(deps: AppDeps): { app: Express; listener: RequestListener } {
  const adder = createJobAdder(deps.queues, deps.redis, { aofAck: deps.aofAck, replication: deps.replicationAck, fairness: deps.fairness ?? fairnessOf() });
  const payloadPolicy = createPayloadPolicy(deps.fetchTargetPolicy ?? { allowPrivateNetworks: false });
  const pipeline = createEnqueuePipeline({
    redis: deps.redis,
    queues: deps.queues,
    admission: deps.admission,
    parser: createRequestParser({ payloadPolicy, bulkMaxJobs: deps.bulkMaxJobs ?? DEFAULT_BULK_MAX_JOBS }),
    adder: deps.tracing ? tracedJobAdder(adder, deps.queues, deps.tracing.telemetry) : adder,
    idempotencyTtlSeconds: deps.idempotencyTtlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS,
  });
  // One instance for both paths, so their answers carry the same security headers.
  const securityHeaders = helmet();
  const app = createApp(deps, { pipeline, securityHeaders });
  const trust = trustProxyRuleOf(app);
  const listener = leanEnqueueListener({
    app,
    clientAddress: clientAddressReader(trust),
    securityHeaders,
    pipeline,
    auth: deps.auth,
    admission: deps.admission,
    logger: deps.logger,
    httpMetrics: deps.httpMetrics,
    bodyLimitBytes: deps.bodyLimitBytes,
  });
  // Tracing off: the bare listener, not a wrapper that checks on every request.
  return { app, listener: deps.tracing ? traceRequests(listener, { routeOf }) : listener };
}

/** The route template a request matched: express's, or the lean path's own. */
function routeOf(req: IncomingMessage): string | undefined {
  const path = (req as IncomingMessage & { route?: { path?: unknown } }).route?.path;
  return typeof path === 'string' ? path : leanRouteOf(req);
}

/** Builds the express app without listening, so tests run it on any port. */
export function createApp(
  deps: AppDeps,
  shared: { pipeline: EnqueuePipeline; securityHeaders: RequestHandler },
): Express {
  const bulkMaxJobs = deps.bulkMaxJobs ?? DEFAULT_BULK_MAX_JOBS;
  const app = express();
  app.disable('x-powered-by');
  // req.ip (rate limits, keyless tenants) follows it; the lean path reads the same compiled rule.
  app.set('trust proxy', deps.trustProxy ?? false);
  // helmet's defaults: nosniff, no framing, a same-origin CSP (the /docs page loads only its own files), HSTS.
  app.use(shared.securityHeaders);
  app.use(requestLogger(deps.logger));
  app.use(measureRequests(deps.httpMetrics));
  const handlers: RouteHandlers = {
    ...healthHandlers(deps.redis),
    ...metricsHandlers(deps.registry),
    ...docsHandlers({ bulkMaxJobs }),
    ...jobTypesHandlers(),
    ...bulkJobsHandlers(shared),
    ...jobEventsHandlers(deps),
    ...jobsHandlers({ ...deps, ...shared }),
    ...workersHandlers(deps.redis, deps.prefix),
    ...proxiesHandlers(deps),
    ...queuesHandlers(deps),
    ...tenantsHandlers(deps),
    ...schedulesHandlers({ ...deps, ...shared }),
  };
  // The open routes (health, metrics, docs) first: no body parsing, nothing that could fail before them.
  app.use(mountRoutes(handlers, (route) => route.scope === 'open'));
  app.use(docsFilesRouter());
  app.use(requireAuth(deps.auth));
  // Shed before parsing: under overload a refusal must cost next to nothing, or refusals become the overload.
  // A schedule's PUT comes in like a POST of its job (see routes/schedules.ts).
  app.use((req, _res, next) => {
    if (matchRoute(req.method, req.path)?.route.admits) deps.admission.shedIfOverloaded();
    next();
  });
  app.use(
    express.json({
      limit: deps.bodyLimitBytes,
      type: JSON_MEDIA_TYPES,
      // Before parsing: see http/json-depth.ts.
      verify: (_req, _res, buf) => {
        if (jsonNestsDeeperThan(buf, MAX_JSON_DEPTH)) throw jsonTooDeep();
      },
    }),
  );
  app.use(mountRoutes(handlers, (route) => route.scope !== 'open'));
  app.use(notFound);
  app.use(errorHandler(deps.logger, deps.httpMetrics));
  return app;
}
