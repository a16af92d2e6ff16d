import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { generateApiKey } from '@floodgate/shared/api-keys';
import { freePort, freePortRun, waitFor } from '@floodgate/testkit';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const pm2Bin = join(root, 'node_modules/.bin/pm2');

export interface Pm2Process {
  name: string;
  pid: number;
  status: string;
}

/** The real stack (embedded Redis, api, worker, dashboard) under a private pm2 daemon on free ports. */
export interface Pm2Stack {
  apiUrl: string;
  dashboardUrl: string;
  redisUrl: string;
  dashboardUser: string;
  dashboardPassword: string;
  /** Headers with an admin API key, for every /v1 request. */
  apiHeaders: Record<string, string>;
  /** Metrics URL of API process N. */
  apiMetricsUrl(instance: number): string;
  /** The thread-served liveness probe of API process N (API_HEALTH_PORT). */
  apiHealthUrl(instance: number): string;
  /** Metrics URL of worker process N. */
  workerMetricsUrl(instance: number): string;
  /** Runs the pm2 CLI against this stack's private PM2_HOME. */
  pm2(...args: string[]): Promise<string>;
  /** `pm2 jlist`, reduced to what tests look at. */
  processes(): Promise<Pm2Process[]>;
  /** Kills the pm2 daemon (and with it every app) and deletes the temporary directories. */
  stop(): Promise<void>;
}

export async function startPm2Stack(extraEnv: Record<string, string> = {}): Promise<Pm2Stack> {
  const pm2Home = await mkdtemp(join(tmpdir(), 'floodgate-pm2-'));
  const redisDir = await mkdtemp(join(tmpdir(), 'floodgate-e2e-redis-'));
  const [apiPort, dashboardPort, redisPort] = [await freePort(), await freePort(), await freePort()];
  // Process N of an app serves metrics on base + N, bound only when pm2 starts or scales it: one run
  // of free ports outside the ephemeral range, 4 per app (a port picked by freePort could meanwhile be
  // taken by an outgoing connection as base + 1, leaving a scaled worker without its metrics port).
  const apiMetricsBase = await freePortRun(12);
  const workerMetricsBase = apiMetricsBase + 4;
  const apiHealthBase = apiMetricsBase + 8;
  const dashboardPassword = `e2e-${Math.random().toString(36).slice(2)}`;
  const apiKey = generateApiKey('e2e', ['admin']);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PM2_HOME: pm2Home,
    API_PORT: String(apiPort),
    DASHBOARD_PORT: String(dashboardPort),
    REDIS_PORT: String(redisPort),
    REDIS_DATA_DIR: redisDir,
    API_METRICS_PORT: String(apiMetricsBase),
    WORKER_METRICS_PORT: String(workerMetricsBase),
    API_HEALTH_PORT: String(apiHealthBase),
    DASHBOARD_USER: 'admin',
    DASHBOARD_PASSWORD: dashboardPassword,
    LOG_LEVEL: 'warn',
    // The key's record only, as a deployment would hold it.
    API_KEYS: JSON.stringify([apiKey.record]),
    ...extraEnv,
  };
  delete env.REDIS_URL;

  const pm2 = async (...args: string[]) => (await run(pm2Bin, args, { cwd: root, env, timeout: 90_000 })).stdout;
  const processes = async (): Promise<Pm2Process[]> => {
    const list = JSON.parse(await pm2('jlist')) as Array<{ name: string; pid: number; pm2_env: { status: string } }>;
    return list.map((p) => ({ name: p.name, pid: p.pid, status: p.pm2_env.status }));
  };
  const stop = async () => {
    // Like `npm start`'s Ctrl-C: everything that needs Redis stops before Redis does.
    for (const app of ['api', 'dashboard', 'worker']) await pm2('stop', app).catch(() => undefined);
    await pm2('kill').catch(() => undefined);
    await rm(pm2Home, { recursive: true, force: true });
    await rm(redisDir, { recursive: true, force: true });
  };

  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const dashboardUrl = `http://127.0.0.1:${dashboardPort}`;
  try {
    await pm2('start', 'ecosystem.config.js');
    await waitFor(async () => (await fetch(`${apiUrl}/readyz`)).ok, { timeoutMs: 60_000, description: 'the API to be ready' });
    await waitFor(async () => (await fetch(`${dashboardUrl}/healthz`)).ok, { timeoutMs: 60_000, description: 'the dashboard' });
    await waitFor(async () => (await processes()).every((p) => p.status === 'online'), {
      timeoutMs: 60_000,
      description: 'every pm2 process online',
    });
  } catch (err) {
    const logs = await pm2('logs', '--nostream', '--lines', '40').catch(() => '');
    await stop();
    throw new Error(`the stack did not come up:\n${logs}`, { cause: err });
  }
  return {
    apiUrl,
    dashboardUrl,
    redisUrl: `redis://127.0.0.1:${redisPort}`,
    dashboardUser: 'admin',
    dashboardPassword,
    apiHeaders: { authorization: `Bearer ${apiKey.key}` },
    apiMetricsUrl: (instance) => `http://127.0.0.1:${apiMetricsBase + instance}/metrics`,
    workerMetricsUrl: (instance) => `http://127.0.0.1:${workerMetricsBase + instance}/metrics`,
    apiHealthUrl: (instance) => `http://127.0.0.1:${apiHealthBase + instance}/healthz`,
    pm2,
    processes,
    stop,
  };
}
