import { createLogger } from '@floodgate/shared/logger';
import { createRedis, waitForRedis } from '@floodgate/shared/redis';
import { spawnNodeProcess, startRedis, waitFor, type PrivateRedis, type RunningProcess } from '@floodgate/testkit';
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach } from 'vitest';
import { WORKER_ENTRY } from './stack-entries';

const logger = createLogger({ name: 'e2e', level: 'silent', pretty: false });

/** What {@link privateRedisPerTest} gives each test. */
export interface PrivateRedisFixture {
  /** This test's own redis-server, with the append-only file on, so kill() and restart() keep its jobs. */
  readonly redis: PrivateRedis;
  /** A connection to it, for the test's queues and reads. */
  readonly connection: Redis;
  /** A queue prefix of this test's own. */
  readonly prefix: string;
  /** Processes started for this test; push any the test spawns itself, so they are killed after it. */
  readonly processes: RunningProcess[];
  /** Starts a worker process on this Redis and prefix (environment: the fixture's, then `env`). */
  startWorker(env?: Record<string, string>): Promise<RunningProcess>;
  /** SIGKILLs every process started so far: after each test, or earlier when a test's own teardown needs them gone first. */
  killProcesses(): Promise<void>;
}

/**
 * A private Redis for each test of the file that calls it (at the top level: it
 * registers beforeEach and afterEach), for end-to-end tests that start their
 * own worker and API processes rather than a whole stack.
 */
export function privateRedisPerTest(workerEnv: Record<string, string>): PrivateRedisFixture {
  let redis: PrivateRedis | undefined;
  let connection: Redis | undefined;
  let prefix: string | undefined;
  const processes: RunningProcess[] = [];
  const killProcesses = async () => {
    await Promise.all(processes.splice(0).map((p) => p.kill()));
  };

  beforeEach(async () => {
    redis = await startRedis({ appendonly: true });
    connection = createRedis('worker', { url: redis.url, logger });
    await waitForRedis(connection);
    prefix = `{e2e-${Math.random().toString(36).slice(2)}}`;
  });

  afterEach(async () => {
    await killProcesses();
    connection?.disconnect();
    await redis?.stop();
  });

  const fixture: PrivateRedisFixture = {
    get redis() {
      return setUp(redis, 'redis');
    },
    get connection() {
      return setUp(connection, 'connection');
    },
    get prefix() {
      return setUp(prefix, 'prefix');
    },
    processes,
    async startWorker(env = {}) {
      const worker = await spawnNodeProcess(WORKER_ENTRY, { REDIS_URL: fixture.redis.url, QUEUE_PREFIX: fixture.prefix, ...workerEnv, ...env });
      processes.push(worker);
      return worker;
    },
    killProcesses,
  };
  return fixture;
}

function setUp<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`the fixture's ${name} exists only inside a test (it is made in beforeEach)`);
  return value;
}

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
