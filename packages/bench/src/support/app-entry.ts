import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnNodeProcess, type RunningProcess } from '@floodgate/testkit';

/**
 * The built entry point of a floodgate app (`dist/index.js`). Found on the
 * module search path rather than with `require.resolve('…/package.json')`, so
 * it works whatever the app's `exports` map lists.
 */
export function appEntry(app: 'api' | 'worker'): string {
  const name = `@floodgate/${app}`;
  for (const dir of require.resolve.paths(name) ?? []) {
    if (existsSync(join(dir, name, 'package.json'))) return join(dir, name, 'dist/index.js');
  }
  throw new Error(`${name} is not installed where @floodgate/bench can find it`);
}

/**
 * The real API process on a free loopback port, on `redisUrl` under `prefix`,
 * with its metrics port off unless `env` sets one; `url` is where it answers.
 */
export async function spawnApi(
  redisUrl: string,
  prefix: string,
  env: Record<string, string> = {},
): Promise<{ app: RunningProcess; port: number; url: string }> {
  const port = await freePort();
  const app = await spawnNodeProcess(appEntry('api'), { REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, API_PORT: String(port), API_METRICS_PORT: '0', API_HEALTH_PORT: '0', ...env });
  return { app, port, url: `http://127.0.0.1:${port}` };
}
