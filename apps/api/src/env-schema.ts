import { boolEnv, intEnv, loadDotEnvFile, numberEnv, REDIS_ENV_KEYS, refineRedisTopology } from '@floodgate/shared/env';
import { perTypeNumbersEnv } from '@floodgate/shared/jobs';
import { StackEnv } from '@floodgate/shared/stack';
import { TracingEnv } from '@floodgate/shared/tracing';

/**
 * The API's environment: the shared stack variables it uses, plus its own.
 * Side-effect free, unlike env.ts: the env reference (`npm run env:example`) reads it.
 */
export const ApiEnv = StackEnv.pick({
  ...REDIS_ENV_KEYS,
  QUEUE_PREFIX: true,
  QUEUE_PARTITIONS: true,
  QUEUE_PARTITIONS_CHECK_MS: true,
  QUEUE_FAIRNESS: true,
  LOG_LEVEL: true,
  API_PORT: true,
  API_HOST: true,
  API_SHUTDOWN_GRACE_MS: true,
  API_METRICS_PORT: true,
  API_HEALTH_PORT: true,
  METRICS_HOST: true,
  NODE_APP_INSTANCE: true,
  PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS: true,
  FETCH_PROXIES: true,
  FETCH_PROXIES_FILE: true,
  API_KEYS: true,
  API_KEYS_FILE: true,
  AUTH_DISABLED: true,
  TRUST_PROXY: true,
  NODE_ENV: true,
  OVERVIEW_FLUSH_MS: true,
})
  .extend({
    API_BODY_LIMIT_BYTES: intEnv(1_048_576, { min: 1_024, max: 64 * 1_048_576 }).describe('Largest request body accepted, in bytes; larger is 413.'),
    API_BULK_MAX_JOBS: intEnv(1_000, { min: 1, max: 100_000 }).describe('Most jobs one POST /v1/jobs/:type/bulk may carry; more is 422 too_many_jobs.'),
    API_RATE_LIMIT: perTypeNumbersEnv({ min: 1, max: 1_000_000 }).describe(
      "Jobs per second one client (API key, or address with AUTH_DISABLED) may enqueue, per type: type=N,...; unlisted: the catalog's.",
    ),
    API_BACKLOG_CAP: perTypeNumbersEnv({ min: 1, max: 100_000_000 }).describe(
      "Waiting + delayed + prioritized jobs per type before 503 queue_full: type=N,...; unlisted: the catalog's.",
    ),
    API_TENANT_BACKLOG_CAP: perTypeNumbersEnv({ min: 1, max: 100_000_000 }).describe(
      "One tenant's share of a fair type's backlog before 429 tenant_queue_full: type=N,...; unlisted: the catalog's, else a quarter of the type's cap.",
    ),
    API_REDIS_MEMORY_HIGH: numberEnv(0.85, { min: 0.05, max: 1 }).describe('Share of Redis maxmemory at which new jobs are refused (503 redis_memory_high).'),
    API_REDIS_MEMORY_LOW: numberEnv(0.75, { min: 0.01, max: 1 }).describe('Share of Redis maxmemory below which jobs are accepted again.'),
    API_MAX_EVENT_LOOP_DELAY_MS: intEnv(200, { min: 10, max: 60_000 }).describe(
      'Event-loop delay p99 (ms) at which a process refuses new jobs (503 overloaded); it resumes below half.',
    ),
    IDEMPOTENCY_TTL: intEnv(86_400, { min: 1, max: 30 * 86_400 }).describe(
      "Seconds an Idempotency-Key's record (caller, key, job id, payload digest) is kept, whatever the job's retention.",
    ),
    /** Once per coalesced batch (Redis WAIT). */
    REDIS_ACK_REPLICAS: intEnv(0, { min: 0, max: 16 }).describe(
      'Replicas that must hold a new job before its 202; fewer in time: 503 replication_unconfirmed, naming the job id.',
    ),
    REDIS_ACK_TIMEOUT_MS: intEnv(1_000, { min: 1, max: 60_000 }).describe('How long the API waits for REDIS_ACK_REPLICAS replicas (ms).'),
    /**
     * `WAITAOF`, Redis 7.2+: the API refuses to start on a Redis without it.
     * Unset, a 202 means Redis holds the job in memory, fsynced within about a
     * second under `appendfsync everysec`.
     */
    REDIS_ACK_FSYNC: boolEnv(false).describe("A 202 waits until Redis has the job in its append-only file on disk (WAITAOF; Redis 7.2+; not with REDIS_CLUSTER_NODES)."),
    API_EVENTS_MAX_LEN: intEnv(10_000, { min: 100, max: 10_000_000 }).describe("Most entries kept in each queue's events stream (BullMQ's streams.events.maxLen)."),
    /** OpenTelemetry tracing (`OTEL_*`): see TracingEnv. Off unless an exporter is set. */
    ...TracingEnv.shape,
  })
  .refine((env) => !(env.AUTH_DISABLED && env.NODE_ENV === 'production'), {
    message: 'AUTH_DISABLED=true is for local development and is refused when NODE_ENV=production',
    path: ['AUTH_DISABLED'],
  })
  .refine((env) => env.API_REDIS_MEMORY_LOW <= env.API_REDIS_MEMORY_HIGH, {
    message: 'API_REDIS_MEMORY_LOW must not be above API_REDIS_MEMORY_HIGH',
    path: ['API_REDIS_MEMORY_LOW'],
  })
  .refine((env) => !(env.REDIS_ACK_FSYNC && env.REDIS_CLUSTER_NODES !== undefined), {
    // WAITAOF must go to the node that took the writes; the fsync ack sends it on the connection, which a cluster routes anywhere.
    message: 'REDIS_ACK_FSYNC is not supported with REDIS_CLUSTER_NODES yet; use REDIS_ACK_REPLICAS for a cluster',
    path: ['REDIS_ACK_FSYNC'],
  })
  .superRefine(refineRedisTopology);
export type ApiEnv = typeof ApiEnv._output;

/**
 * The keys CLI's environment: API_KEYS_FILE, the same variable and default the API
 * and `npm start` read, from the same places (the environment, then .env).
 * Reads only when called, so this module stays side-effect free.
 */
export function keysCliEnv(): { API_KEYS_FILE: string } {
  loadDotEnvFile();
  return StackEnv.pick({ API_KEYS_FILE: true }).parse({ API_KEYS_FILE: process.env.API_KEYS_FILE });
}
