import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type JobType } from '@floodgate/shared/jobs';
import { partitionCounts } from '@floodgate/shared/queues';
import { startTenantDispatch } from '@floodgate/shared/fairness';
import type { TrustProxy } from '@floodgate/shared/env';
import { createLogger } from '@floodgate/shared/logger';
import { createMetricsRegistry } from '@floodgate/shared/metrics';
import { createRedis, waitForRedis } from '@floodgate/shared/redis';
import { startRedis, startTcpFaultProxy, waitFor, type PrivateRedis, type StartRedisOptions, type TcpFaultProxy } from '@floodgate/testkit';
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import { generateApiKey, type ApiKeyRecord, type Scope } from '@floodgate/shared/api-keys';
import { createAuthenticator } from '../auth/authenticator';
import { startAdmission, type AdmissionLimits } from '../admission/start-admission';
import { createApiServer } from '../api-server';
import { createApiListener, fairnessOf } from '../app';
import type { ReplicationAck } from '../coalesce/job-adder';
import { createJobWaiter } from '../waiting/job-waiter';
import { createHttpMetrics } from '../metrics/http-metrics';
import { registerQueueMetrics } from '../metrics/queue-metrics';
import { closeQueues, createQueues, type JobQueues } from '../redis/queues';

/** Test-only: the real API on a free port, over a private Redis, with a fresh prefix. */
export interface ApiHarness {
  url: string;
  /** The express app itself (its router is what the OpenAPI test walks). */
  app: Express;
  redis: PrivateRedis;
  /** The fault proxy the API's Redis connection goes through, when `faultProxy` was asked for. */
  proxy?: TcpFaultProxy;
  connection: Redis;
  queues: JobQueues;
  prefix: string;
  /** An API key with the `admin` scope, sent by `request` unless told otherwise. */
  apiKey: string;
  /**
   * Makes another API key with these scopes (the API already knows it: the
   * harness's key list is live).
   */
  createKey(scopes: Scope[], weight?: number): string;
  /**
   * fetch() against the API; `json` is sent with the JSON content type, and
   * the admin key unless `headers` carry an authorization of their own or `auth` is false.
   */
  request(method: string, path: string, init?: { json?: unknown; body?: string; headers?: Record<string, string>; auth?: boolean }): Promise<Response>;
  stop(): Promise<void>;
}

export async function startApi(
  options: {
    bodyLimitBytes?: number;
    bulkMaxJobs?: number;
    /** REDIS_ACK_REPLICAS / REDIS_ACK_TIMEOUT_MS. @defaultValue none */
    replicationAck?: ReplicationAck;
    limits?: Partial<AdmissionLimits>;
    redis?: StartRedisOptions;
    /** Let page-extract target private networks (the SSRF switch). @defaultValue false */
    allowPrivateNetworks?: boolean;
    /** AUTH_DISABLED. @defaultValue false */
    authDisabled?: boolean;
    /**
     * Route the API's Redis connection (queues, admission) through a testkit TCP
     * fault proxy, so a test can drop or stall it. @defaultValue false
     */
    faultProxy?: boolean;
    /** Partition queues per type (QUEUE_PARTITIONS), on the one Redis. @defaultValue the catalog's */
    partitions?: Partial<Record<JobType, number>>;
    /** QUEUE_FAIRNESS and API_TENANT_BACKLOG_CAP. @defaultValue the catalog's */
    fairness?: { fair?: Partial<Record<JobType, boolean>>; tenantBacklogCaps?: Partial<Record<JobType, number>> };
    /**
     * Stand in for the worker fleet's side of fair dispatch (slots registered,
     * settle ticks), so jobs leave their tenants' lanes for the raw BullMQ
     * Workers tests run; false leaves them there, as with no worker running.
     * @defaultValue 50 slots per partition
     */
    dispatchSlots?: number | false;
    /** TRUST_PROXY. @defaultValue false */
    trustProxy?: TrustProxy;
  } = {},
): Promise<ApiHarness> {
  const redis = await startRedis(options.redis);
  const logger = createLogger({ name: 'api-test', level: 'silent', pretty: false });
  const proxy = options.faultProxy ? await startTcpFaultProxy({ target: redis.url }) : undefined;
  const connection = createRedis('producer', { url: proxy?.url ?? redis.url, logger });
  await waitForRedis(connection);
  const prefix = `{fg-test-${randomUUID()}}`;
  const queues = createQueues(connection, prefix, { partitions: partitionCounts(options.partitions) });
  const { admission, stop: stopAdmission } = startAdmission({
    redis: connection,
    queues,
    prefix,
    logger,
    limits: {
      rateLimitPerSecond: {},
      backlogCap: {},
      redisMemoryHigh: 0.85,
      redisMemoryLow: 0.75,
      maxEventLoopDelayMs: 1_000,
      ...options.limits,
    },
  });
  const eventsConnection = createRedis('worker', { url: redis.url, logger });
  const waiter = createJobWaiter({ connection: eventsConnection, queues, logger });
  const dispatches =
    options.dispatchSlots === false
      ? []
      : Object.values(queues).flatMap((typeQueue) =>
          typeQueue.partitions.map((queue, i) =>
            startTenantDispatch({ redis: connection, queue, workerId: `api-harness:${queue.name}:${i}`, slots: () => (options.dispatchSlots || 50) as number, cap: 0, logger, tickMs: 100 }),
          ),
        );
  const registry = createMetricsRegistry('api-test');
  registerQueueMetrics(registry, queues, connection);
  // Live: the authenticator reads this map, so keys made later are known at once.
  const keys = new Map<string, ApiKeyRecord>();
  const createKey = (scopes: Scope[], weight?: number) => {
    const { key, record } = generateApiKey(`test ${scopes.join(' ')}`, scopes, weight);
    keys.set(record.id, record);
    return key;
  };
  const apiKey = createKey(['admin']);
  const { app, listener } = createApiListener({
    queues,
    redis: connection,
    prefix,
    logger,
    admission,
    waiter,
    bodyLimitBytes: options.bodyLimitBytes ?? 1_048_576,
    bulkMaxJobs: options.bulkMaxJobs ?? 1_000,
    ...(options.replicationAck ? { replicationAck: options.replicationAck } : {}),
    fetchTargetPolicy: { allowPrivateNetworks: options.allowPrivateNetworks ?? false },
    auth: createAuthenticator({ keys, disabled: options.authDisabled ?? false }),
    registry,
    httpMetrics: createHttpMetrics(registry),
    fairness: fairnessOf({ ...(options.fairness as Parameters<typeof fairnessOf>[0]), backlogCaps: options.limits?.backlogCap ?? {} }),
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
  });
  const server: Server = await new Promise((resolve) => {
    const listening = createApiServer(listener).listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    app,
    redis,
    proxy,
    connection,
    queues,
    prefix,
    apiKey,
    createKey,
    request: (method, path, init = {}) =>
      fetch(`${url}${path}`, {
        method,
        headers: {
          ...(init.auth === false ? {} : { authorization: `Bearer ${apiKey}` }),
          ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
          ...init.headers,
        },
        body: init.json === undefined ? init.body : JSON.stringify(init.json),
        signal: AbortSignal.timeout(10_000),
      }),
    async stop() {
      await Promise.all(dispatches.map((dispatch) => dispatch.stop()));
      stopAdmission();
      await waiter.close();
      eventsConnection.disconnect();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await closeQueues(queues);
      connection.disconnect();
      await proxy?.close();
      await redis.stop();
    },
  };
}

/** Sum of waiting, delayed, prioritized, active, completed and failed jobs across every queue. */
export async function totalJobs(queues: JobQueues): Promise<number> {
  let total = 0;
  for (const queue of Object.values(queues)) {
    const counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed');
    total += Object.values(counts).reduce((sum, n) => sum + n, 0);
  }
  return total;
}

/**
 * Resolves once one of this API's job-events subscribers (each opened by the first wait or event
 * stream on its queue) is blocked reading its stream, as CLIENT LIST shows. A request that waits
 * on a fresh API can miss an event that comes before that (the subscriber is ready before it
 * reads), so tests start the work a request waits for only after this.
 */
export async function eventsSubscribed(api: ApiHarness): Promise<void> {
  await waitFor(async () => /\bcmd=xread\b/.test(String(await api.connection.call('CLIENT', 'LIST'))), { description: "the API's events subscriber" });
}
