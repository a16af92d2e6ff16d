import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@floodgate/testkit';

const run = promisify(execFile);
/** The repository root: ecosystem.config.js and the pm2 the root package installs. */
const root = resolve(__dirname, '../../../..');

/** The API and worker apps of ecosystem.config.js under a private pm2 daemon, on a given Redis. */
export interface Pm2Apps {
  apiUrl: string;
  /** Runs the pm2 CLI against these apps' private daemon (`reload worker`). */
  pm2(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts `api` and `worker` (or only the apps in `only`) exactly as `npm start`
 * does (ecosystem.config.js, cluster mode, `wait_ready`), on `redisUrl` (so no
 * embedded Redis), with a private PM2_HOME and free ports. `env` adds or
 * overrides settings.
 */
export async function startPm2Apps(redisUrl: string, env: Record<string, string>, only: readonly ('api' | 'worker')[] = ['api', 'worker']): Promise<Pm2Apps> {
  const pm2Home = await mkdtemp(join(tmpdir(), 'floodgate-bench-pm2-'));
  const apiPort = await freePort();
  const fullEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PM2_HOME: pm2Home,
    REDIS_URL: redisUrl,
    API_PORT: String(apiPort),
    API_METRICS_PORT: '0', API_HEALTH_PORT: '0',
    WORKER_METRICS_PORT: '0',
    LOG_LEVEL: 'warn',
    ...env,
  };
  const pm2 = async (...args: string[]) => (await run(join(root, 'node_modules/.bin/pm2'), args, { cwd: root, env: fullEnv, timeout: 120_000 })).stdout;
  const stop = async () => {
    await pm2('kill').catch(() => undefined);
    await rm(pm2Home, { recursive: true, force: true });
  };
  try {
    // `start` returns once every process said `ready` (wait_ready).
    await pm2('start', 'ecosystem.config.js', '--only', only.join(','));
  } catch (err) {
    await stop();
    throw err;
  }
  return { apiUrl: `http://127.0.0.1:${apiPort}`, pm2, stop };
}
