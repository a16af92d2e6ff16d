import { join } from 'node:path';
import type { ApiKeyRecord } from '@floodgate/shared/api-keys';
import { freePort, redisCli, spawnNodeProcess, waitFor, type PrivateRedisCluster, type PrivateRedisSentinel, type RunningProcess } from '@floodgate/testkit';
import { redisClusterTest, redisSentinelTest, type Use } from '@floodgate/testkit/fixtures';
import type { TestAPI } from 'vitest';
import { API_ENTRY, apiKey, auth, FAST_RECOVERY_ENV, ROOT, WORKER_ENTRY } from './stack-entries';

/** The dashboard's admin, for stacks started with one. */
export const dashboardAdmin = { user: 'admin', password: 'e2e dashboard admin password' };

export interface Stack {
  api: string;
  /** `http://127.0.0.1:PORT` of the dashboard, when one was asked for. */
  dashboard: string | undefined;
  prefix: string;
  processes: RunningProcess[];
  /** Kills every process of the stack (SIGKILL, by pid). */
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Env for every process (after the Redis variables and the prefix). @defaultValue none */
  extra?: Record<string, string>;
  /** Start a worker process. @defaultValue true */
  worker?: boolean;
  /** Start the dashboard process too. @defaultValue false */
  dashboard?: boolean;
  /** API keys the API accepts besides the e2e admin key (tenants of their own). @defaultValue none */
  apiKeys?: ApiKeyRecord[];
}

/**
 * The real API (and worker, and dashboard when asked) processes against a
 * Redis named by `redisEnv` (REDIS_URL, REDIS_CLUSTER_NODES or the sentinel
 * pair), with a fresh untagged prefix, so each queue gets its own hash tag.
 */
export async function startStack(redisEnv: Record<string, string>, options: StackOptions = {}): Promise<Stack> {
  const prefix = `e2e${Math.random().toString(36).slice(2, 8)}`;
  const env = { ...redisEnv, QUEUE_PREFIX: prefix, PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS: 'true', ...options.extra };
  const processes: RunningProcess[] = [];
  const stop = async () => {
    await Promise.all(processes.map((p) => p.kill()));
  };
  try {
    const apiPort = await freePort();
    processes.push(await spawnNodeProcess(API_ENTRY, { ...env, API_PORT: String(apiPort), API_METRICS_PORT: '0', API_HEALTH_PORT: '0', API_KEYS: JSON.stringify([apiKey.record, ...(options.apiKeys ?? [])]) }, 60_000));
    if (options.worker ?? true) processes.push(await spawnNodeProcess(WORKER_ENTRY, { ...env, ...FAST_RECOVERY_ENV }, 60_000));
    let dashboard: string | undefined;
    if (options.dashboard) {
      const port = await freePort();
      processes.push(
        await spawnNodeProcess(
          join(ROOT, 'apps/dashboard/dist/index.js'),
          {
            ...env,
            DASHBOARD_PORT: String(port),
            DASHBOARD_USER: dashboardAdmin.user,
            DASHBOARD_PASSWORD: dashboardAdmin.password,
            DASHBOARD_SESSION_SECRET: 'e2e dashboard session secret, long enough to sign with',
          },
          60_000,
        ),
      );
      dashboard = `http://127.0.0.1:${port}`;
    }
    return { api: `http://127.0.0.1:${apiPort}`, dashboard, prefix, processes, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A request to the stack's API with the admin key; `body` is sent as JSON. */
export const request = (stack: Pick<Stack, 'api'>, method: string, path: string, body?: unknown) =>
  fetch(`${stack.api}${path}`, {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });

/** Starts the real processes on a Redis topology, as {@link startStack}: what the `startStack` fixture gives a test. */
export type StartStack = (redisEnv: Record<string, string>, options?: StackOptions) => Promise<Stack>;

const stacks = {
  /** Every stack a test starts is stopped after it, a failed test's included. */
  // eslint-disable-next-line no-empty-pattern
  startStack: async ({}, use: Use<StartStack>) => {
    const started: Stack[] = [];
    await use(async (redisEnv, options) => {
      const stack = await startStack(redisEnv, options);
      started.push(stack);
      return stack;
    });
    await Promise.all(started.map((stack) => stack.stop()));
  },
};

/**
 * A vitest `test` with the file's Redis Cluster (`cluster`: 3 primaries, each with a replica,
 * formed by the first test that asks, stopped after the file) and `startStack`, each stack
 * stopped after its test. Give each test a timeout that covers forming the cluster.
 */
export const clusterStackTest: TestAPI<{ cluster: PrivateRedisCluster; startStack: StartStack }> = redisClusterTest.extend<{ startStack: StartStack }>(stacks);

/** {@link clusterStackTest} on the file's Redis Sentinel set (`sentinel`: a primary, two replicas, three sentinels). */
export const sentinelStackTest: TestAPI<{ sentinel: PrivateRedisSentinel; startStack: StartStack }> = redisSentinelTest.extend<{ startStack: StartStack }>(stacks);

/**
 * Waits until every node of `cluster` still running says `cluster_state:ok`, live primaries serve every
 * slot, and each has an online replica: a test that killed or stopped nodes leaves the cluster so for the next.
 */
export async function clusterHealed(cluster: PrivateRedisCluster, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => {
      const states = await Promise.all(cluster.nodes.filter((node) => node.running).map((node) => redisCli(node.port, 'cluster', 'info')));
      if (!states.every((state) => state.includes('cluster_state:ok'))) return false;
      const primaries = (await cluster.topology()).filter((node) => node.role === 'primary' && !node.failed && node.slots.length > 0);
      if (primaries.flatMap((node) => node.slots).reduce((sum, [first, last]) => sum + last - first + 1, 0) !== 16_384) return false;
      const links = await Promise.all(primaries.map((node) => redisCli(node.port, 'info', 'replication')));
      return links.every((info) => /slave0:.*state=online/.test(info));
    },
    { timeoutMs, description: 'every cluster node ok and every primary with an online replica' },
  );
}

/**
 * Starts again, in the order given, each node on `ports` that is down (killed in a failover or stopped
 * by a test), as an operator would: a killed primary comes back as its heir's replica. Then waits for
 * {@link clusterHealed}. Safe in a `finally`: a node still running is left alone.
 */
export async function rejoin(cluster: PrivateRedisCluster, ...ports: number[]): Promise<void> {
  for (const port of ports) {
    const node = cluster.nodes.find((n) => n.port === port);
    if (!node) throw new Error(`no cluster node on port ${port}`);
    if (!node.running) await node.restart();
  }
  await clusterHealed(cluster);
}
