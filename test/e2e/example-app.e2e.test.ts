import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, startRedis, waitFor, type PrivateRedis } from '@floodgate/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './stack-entries';

const run = promisify(execFile);

/** `npm run pack`'s packer: every workspace package that is not private. */
const packer = createRequire(__filename)(join(ROOT, 'infra/scripts/pack-packages.js')) as { publicPackages(): string[]; pack(destination: string): string[] };

/**
 * examples/my-app as a new user runs it: outside the workspace, the packages
 * installed from `pnpm pack` tarballs (as npm would get them from a registry),
 * its own job type, its own ecosystem file under pm2. A broken `exports`, a
 * file left out of `files`, a dependency on a package that is not published,
 * or a catalog that cannot be replaced fails here.
 */
describe('an app of its own (examples/my-app), installed from the packed packages', () => {
  let dir: string;
  let redis: PrivateRedis;
  let pm2: (...args: string[]) => Promise<string>;
  /** Made by the package's own keys CLI (`npx floodgate-keys create`), as the example's README says. */
  let apiKey: string;
  const dashboardPassword = `example-${Math.random().toString(36).slice(2)}`;
  let apiUrl: string;
  let dashboardUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floodgate-my-app-'));
    const packs = join(dir, 'packs');
    packer.pack(packs);
    const tarballs = await readdir(packs);
    const tarball = (name: string) => {
      const file = tarballs.find((entry) => entry.startsWith(`floodgate-${name}-`));
      if (!file) throw new Error(`no tarball for @floodgate/${name} in ${tarballs.join(', ')}`);
      return `file:${join(packs, file)}`;
    };
    const app = join(dir, 'my-app');
    await cp(join(ROOT, 'examples/my-app'), app, { recursive: true });
    // As if from a registry: each @floodgate package from its tarball, those they depend on included.
    const manifest = JSON.parse(await readFile(join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; overrides?: Record<string, string> };
    for (const name of Object.keys(manifest.dependencies).filter((dep) => dep.startsWith('@floodgate/'))) {
      manifest.dependencies[name] = tarball(name.slice('@floodgate/'.length));
    }
    manifest.overrides = { '@floodgate/shared': tarball('shared'), '@floodgate/core': tarball('core') };
    await writeFile(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: app, timeout: 240_000 });

    // The key as a new user makes one: the bin @floodgate/api installs, writing the app's own key file.
    const created = await run(join(app, 'node_modules/.bin/floodgate-keys'), ['create', '--scopes', 'admin', '--name', 'my-app'], {
      cwd: app,
      env: { PATH: process.env.PATH, API_KEYS_FILE: './api-keys.json' },
    });
    apiKey = created.stdout.split('\n')[0] ?? '';
    expect(apiKey).toMatch(/^fg_/);
    expect(created.stdout).toContain('./api-keys.json');

    redis = await startRedis();
    const [apiPort, dashboardPort] = [await freePort(), await freePort()];
    apiUrl = `http://127.0.0.1:${apiPort}`;
    dashboardUrl = `http://127.0.0.1:${dashboardPort}`;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PM2_HOME: join(dir, 'pm2'),
      REDIS_URL: redis.url,
      API_PORT: String(apiPort),
      DASHBOARD_PORT: String(dashboardPort),
      API_METRICS_PORT: '0', API_HEALTH_PORT: '0',
      WORKER_METRICS_PORT: '0',
      API_KEYS_FILE: './api-keys.json',
      DASHBOARD_PASSWORD: dashboardPassword,
      LOG_LEVEL: 'warn',
    };
    pm2 = async (...args) => (await run(join(app, 'node_modules/.bin/pm2'), args, { cwd: app, env, timeout: 90_000 })).stdout;
    await pm2('start', 'ecosystem.config.js');
  }, 300_000);

  afterAll(async () => {
    await pm2?.('kill').catch(() => undefined);
    await redis?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('publishes every package an app installs, and what they depend on', async () => {
    const published = await Promise.all(packer.publicPackages().map(async (dir) => (JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name: string }).name));
    expect(published.sort()).toEqual(['@floodgate/api', '@floodgate/client', '@floodgate/core', '@floodgate/dashboard', '@floodgate/shared', '@floodgate/worker']);
  });

  it('ships every file its packages\' exports name, and a README each', async () => {
    const installed = join(dir, 'my-app/node_modules/@floodgate');
    const targets = (entry: unknown): string[] =>
      typeof entry === 'string' ? [entry] : entry && typeof entry === 'object' ? Object.values(entry).flatMap(targets) : [];
    const missing: string[] = [];
    for (const name of await readdir(installed)) {
      const manifest = JSON.parse(await readFile(join(installed, name, 'package.json'), 'utf8')) as { exports?: unknown };
      for (const target of [...targets(manifest.exports), 'README.md']) {
        if (!existsSync(join(installed, name, target))) missing.push(`@floodgate/${name}: ${target}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('runs its own job type end to end: validated by its schema, done by its handler', async () => {
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    const posted = await fetch(`${apiUrl}/v1/jobs/sum`, { method: 'POST', headers, body: JSON.stringify({ payload: { numbers: [1, 2, 3, 4] } }) });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: string };
    // Waited for in ?wait= rounds: the workers may still be starting on a busy machine.
    const done = await waitFor(async () => {
      const view = (await (await fetch(`${apiUrl}/v1/jobs/sum/${id}?wait=5`, { headers })).json()) as { state: string };
      return view.state === 'completed' || view.state === 'failed' ? view : undefined;
    }, { timeoutMs: 60_000, description: 'the sum job to finish' });
    expect(done).toMatchObject({ type: 'sum', state: 'completed', result: { sum: 10, count: 4 } });

    const wrong = await fetch(`${apiUrl}/v1/jobs/sum`, { method: 'POST', headers, body: JSON.stringify({ payload: { numbers: 'four' } }) });
    expect(wrong.status).toBe(422);
    // Only the app's own types exist: the reference app's are not there.
    const builtIn = await fetch(`${apiUrl}/v1/jobs/sentiment`, { method: 'POST', headers, body: JSON.stringify({ payload: { text: 'hi' } }) });
    expect(builtIn.status).toBe(404);
    const types = (await (await fetch(`${apiUrl}/v1/job-types`, { headers })).json()) as { types: Array<{ type: string }> };
    expect(types.types.map((entry) => entry.type)).toEqual(['sum']);
  });

  it('enqueues and waits through the packaged client (enqueue.js), as CommonJS', async () => {
    const { stdout } = await run('node', ['enqueue.js'], {
      cwd: join(dir, 'my-app'),
      env: { PATH: process.env.PATH, FLOODGATE_URL: apiUrl, FLOODGATE_API_KEY: apiKey },
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toMatchObject({ state: 'completed', result: { sum: 10, count: 4 } });
  });

  it('shows its queue in the dashboard', async () => {
    const login = await waitFor(async () => {
      const res = await fetch(`${dashboardUrl}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin: dashboardUrl, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ user: 'admin', password: dashboardPassword }).toString(),
      }).catch(() => undefined);
      return res?.status === 303 ? res : undefined;
    });
    const cookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const queues = await fetch(`${dashboardUrl}/admin/queues/api/queues`, { headers: { cookie } });
    expect(queues.status).toBe(200);
    expect(JSON.stringify(await queues.json())).toContain('"sum"');
  });
});
