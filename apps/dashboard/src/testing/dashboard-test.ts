import { randomUUID } from 'node:crypto';
import { createLogger } from '@floodgate/shared/logger';
import { createRedis } from '@floodgate/shared/redis';
import { waitFor, type PrivateRedis } from '@floodgate/testkit';
import { eachTestConnection, redisTest } from '@floodgate/testkit/fixtures';
import { Worker, type Job, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TestAPI } from 'vitest';
import { closeQueues, createQueues, type DashboardQueues } from '../queues';

/** What a dashboard reads, for one test: a connection to the file's Redis, and the queues under a prefix of the test's own. */
export interface DashboardStore {
  /** A `producer` connection, as the dashboard's own; the queues share it. */
  connection: Redis;
  /** `{fg-test-UUID}`: tests sharing the server share no keys. */
  prefix: string;
  queues: DashboardQueues;
}

/** The `test` {@link dashboardTest} is (spelled out: its server's type lives in testkit's sources). */
export type DashboardTest = TestAPI<{ redis: PrivateRedis; store: DashboardStore }>;

const silent = createLogger({ name: 'dashboard-test', level: 'silent', pretty: false });

/** The store's `producer` connection to the file's server: ready when the test starts, disconnected after it. */
const storeConnection = eachTestConnection((url) => createRedis('producer', { url, logger: silent }));

/**
 * `redisTest` (one private server per file, started by the first test that
 * asks) with a `store` per test: its own connection, prefix and queues, closed
 * after it (the queues, then the connection), so tests change nothing another
 * one sees and run alone (`vitest -t`) or in any order.
 */
export const dashboardTest: DashboardTest = redisTest.extend<{ store: DashboardStore }>({
  store: async ({ redis }, use) =>
    storeConnection({ redis }, async (connection) => {
      const prefix = `{fg-test-${randomUUID()}}`;
      const queues = createQueues(connection, prefix);
      await use({ connection, prefix, queues });
      await closeQueues(queues);
    }),
});

/**
 * A real worker on the store's compute queue, on a `worker` connection of its
 * own. Not a fixture: a test starts it with its own processor, and
 * {@link failComputeJobs} closes it before the test goes on.
 */
export interface ComputeWorker {
  worker: Worker;
  /** Closes the worker, then its connection. */
  close(): Promise<void>;
}

/** Starts a {@link ComputeWorker} running `processor`. */
export function startComputeWorker(redis: PrivateRedis, store: DashboardStore, processor: Processor): ComputeWorker {
  const connection = createRedis('worker', { url: redis.url, logger: silent });
  const worker = new Worker('compute', processor, { connection, prefix: store.prefix });
  return {
    worker,
    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}

/**
 * Adds `count` compute jobs (`{ n: 1..count, m: 1 }`, one attempt each) and has
 * a real worker whose handler throws fail them all. The worker is closed
 * before this returns, so a job retried later stays waiting and a test sees
 * exactly what the dashboard did.
 */
export async function failComputeJobs(redis: PrivateRedis, store: DashboardStore, count: number): Promise<Job[]> {
  const computer = startComputeWorker(redis, store, () => Promise.reject(new Error('boom')));
  try {
    const failed = await Promise.all(Array.from({ length: count }, (_, i) => store.queues.compute.first.add('compute', { n: i + 1, m: 1 }, { attempts: 1 })));
    await waitFor(async () => (await store.queues.compute.first.getFailedCount()) === count, { description: `${count} failed compute jobs` });
    return failed;
  } finally {
    await computer.close();
  }
}
