import { join } from 'node:path';
import type { ApiKeyRecord } from '@floodgate/shared/api-keys';
import { freePort, spawnNodeProcess, type RunningProcess } from '@floodgate/testkit';
import { afterAll, afterEach, beforeAll } from 'vitest';
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

/**
 * For one describe block (call it at the block's top level: it registers the
 * hooks): a Redis topology started once before the block's tests and stopped
 * after them, and `startStack` on it, each stack stopped after the test that
 * started it, a failed test's included.
 */
export function topologyPerBlock<T extends { stop(): Promise<void> }>(startTopology: () => Promise<T>): {
  readonly topology: T;
  startStack(redisEnv: Record<string, string>, options?: StackOptions): Promise<Stack>;
} {
  let topology: T | undefined;
  let stack: Stack | undefined;
  beforeAll(async () => {
    topology = await startTopology();
  });
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });
  afterAll(async () => {
    await topology?.stop();
  });
  return {
    get topology(): T {
      if (!topology) throw new Error('the topology exists only inside a test (it is started in beforeAll)');
      return topology;
    },
    async startStack(redisEnv, options) {
      stack = await startStack(redisEnv, options);
      return stack;
    },
  };
}
