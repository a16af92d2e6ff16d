import { createLogger } from '@floodgate/shared/logger';
import { createRedis } from '@floodgate/shared/redis';
import { spawnNodeProcess, startRedis, waitFor, type PrivateRedis, type RunningProcess } from '@floodgate/testkit';
import { eachTestConnection } from '@floodgate/testkit/fixtures';
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { test } from 'vitest';
import { FAST_RECOVERY_ENV, WORKER_ENTRY } from './stack-entries';

const logger = createLogger({ name: 'e2e', level: 'silent', pretty: false });

/** SIGKILLs every process of `processes`, emptying it. */
const killAll = async (processes: RunningProcess[]) => void (await Promise.all(processes.splice(0).map((p) => p.kill())));

/** What {@link privateRedisTestWith} gives each test. */
export interface PrivateRedisFixtures {
  /** This test's own redis-server, with the append-only file on, so kill() and restart() keep its jobs. */
  redis: PrivateRedis;
  /** A connection to it, for the test's queues and reads. */
  connection: Redis;
  /** A queue prefix of this test's own. */
  prefix: string;
  /** Processes started for this test; push any the test spawns itself, so they are killed after it. */
  processes: RunningProcess[];
  /** Starts a worker process on this Redis and prefix (environment: the fixture's, then `env`). */
  startWorker(env?: Record<string, string>): Promise<RunningProcess>;
  /** SIGKILLs every process started so far: after each test, or earlier when a fixture's teardown needs them gone first. */
  killProcesses(): Promise<void>;
}

/**
 * A vitest `test` with a private Redis for each test that asks, for end-to-end tests
 * that start their own worker and API processes rather than a whole stack; every
 * process a test started is killed after it, failed or not, before its Redis stops.
 * Workers get `workerEnv`.
 */
export function privateRedisTestWith(workerEnv: Record<string, string>) {
  return test.extend<PrivateRedisFixtures>({
    // eslint-disable-next-line no-empty-pattern
    redis: async ({}, use) => {
      const redis = await startRedis({ appendonly: true });
      await use(redis);
      await redis.stop();
    },
    connection: eachTestConnection((url) => createRedis('worker', { url, logger })),
    // eslint-disable-next-line no-empty-pattern
    prefix: async ({}, use) => use(`{e2e-${Math.random().toString(36).slice(2)}}`),
    // After the connection, so torn down before it: the processes die first.
    processes: async ({ connection: _connection }, use) => {
      const processes: RunningProcess[] = [];
      await use(processes);
      await killAll(processes);
    },
    killProcesses: async ({ processes }, use) => use(() => killAll(processes)),
    startWorker: async ({ redis, prefix, processes }, use) =>
      use(async (env = {}) => {
        const worker = await spawnNodeProcess(WORKER_ENTRY, { REDIS_URL: redis.url, QUEUE_PREFIX: prefix, ...workerEnv, ...env });
        processes.push(worker);
        return worker;
      }),
  });
}

/** {@link privateRedisTestWith} workers that recover a dead process's job within seconds ({@link FAST_RECOVERY_ENV}). */
export const privateRedisTest = privateRedisTestWith(FAST_RECOVERY_ENV);

/** Waits until job `id` of `queue` completed or failed, and returns it with that state. */
export function finished(queue: Queue, id: string, timeoutMs = 60_000): Promise<{ job: Job; state: 'completed' | 'failed' }> {
  return waitFor(
    async () => {
      // State first, then the job: a job read before it finished would lack its result or reason.
      const state = await queue.getJobState(id);
      if (state !== 'completed' && state !== 'failed') return undefined;
      const job = await queue.getJob(id);
      return job ? { job, state } : undefined;
    },
    { timeoutMs, description: `job ${id} to finish` },
  );
}
