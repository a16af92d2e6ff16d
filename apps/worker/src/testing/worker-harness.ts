import { randomUUID } from 'node:crypto';
import { catalog, jobOptionsFor, type JobType, type PayloadOf } from '@floodgate/shared/jobs';
import { queueIdentity } from '@floodgate/shared/queues';
import { createLogger, type Logger } from '@floodgate/shared/logger';
import { createRedis } from '@floodgate/shared/redis';
import { startRedis, waitFor, type PrivateRedis } from '@floodgate/testkit';
import { Queue, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { createMetricsRegistry } from '@floodgate/shared/metrics';
import type { Registry } from 'prom-client';
import { createCpuPool, type CpuPool } from '../cpu-pool/cpu-pool';
import { createWorkerMetrics, type WorkerMetrics } from '../metrics/worker-metrics';

/** Test-only: a private Redis, one connection, and the queues a test file uses. */
export interface WorkerHarness {
  redis: PrivateRedis;
  /** A worker-role connection, shared by every queue and worker of the file. */
  connection: Redis;
  logger: Logger;
  /** The metrics registry workers of this file report to. */
  registry: Registry;
  metrics: WorkerMetrics;
  /** A small CPU pool for the CPU-bound handlers. */
  cpuPool: CpuPool;
  /** A fresh hash-tagged prefix, so each suite's queues start empty. */
  newPrefix(): string;
  /** Adds a job the way the API does (catalog job options), with `overrides` on top. */
  add<T extends JobType>(prefix: string, type: T, payload: PayloadOf<T>, overrides?: JobsOptions): Promise<Job>;
  /** Adds anything, bypassing types: for invalid payloads. */
  addRaw(prefix: string, type: JobType, data: unknown, overrides?: JobsOptions): Promise<Job>;
  /** Waits until a job added here has completed or failed for good; returns it re-read. */
  settled(job: Job): Promise<Job>;
  stop(): Promise<void>;
}

/** `appendonly`: the append-only file on, so a test can restart its Redis and keep its jobs. */
export async function startHarness(options: { appendonly?: boolean } = {}): Promise<WorkerHarness> {
  const redis = await startRedis({ appendonly: options.appendonly ?? false });
  const logger = createLogger({ name: 'worker-test', level: 'silent', pretty: false });
  const connection = createRedis('worker', { url: redis.url, logger });
  const queues = new Map<string, Queue>();
  const byQualifiedName = new Map<string, Queue>();
  const queueFor = (prefix: string, type: JobType) => {
    const key = `${prefix}/${type}`;
    let queue = queues.get(key);
    if (!queue) {
      const { name, prefix: keyPrefix } = queueIdentity(type, prefix);
      queue = new Queue(name, { connection, prefix: keyPrefix });
      queues.set(key, queue);
      byQualifiedName.set(queue.qualifiedName, queue);
    }
    return queue;
  };
  const addRaw = (prefix: string, type: JobType, data: unknown, overrides: JobsOptions = {}) =>
    queueFor(prefix, type).add(type, data, { ...jobOptionsFor(catalog[type]), ...overrides });
  const registry = createMetricsRegistry('worker-test');
  const cpuPool = createCpuPool({ threads: 2 });
  return {
    redis,
    connection,
    logger,
    registry,
    metrics: createWorkerMetrics(registry),
    cpuPool,
    newPrefix: () => `{fg-test-${randomUUID()}}`,
    add: (prefix, type, payload, overrides) => addRaw(prefix, type, payload, overrides),
    addRaw,
    settled: (job) => {
      const queue = byQualifiedName.get(job.queueQualifiedName);
      if (!queue) throw new Error(`job ${job.id} was not added through this harness`);
      return settled(job, queue);
    },
    async stop() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
      await connection.quit();
      await cpuPool.close();
      await redis.stop();
    },
  };
}

/** Waits until the job has completed or failed for good, and returns it re-read from Redis. */
export async function settled(job: Job, queue: Queue, timeoutMs = 10_000): Promise<Job> {
  return waitFor(
    async () => {
      const state = await job.getState();
      if (state !== 'completed' && state !== 'failed') return undefined;
      return (await queue.getJob(job.id ?? '')) ?? undefined;
    },
    { timeoutMs, description: `job ${job.id} to finish` },
  );
}
