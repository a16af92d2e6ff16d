import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, startRedis, waitFor } from '@floodgate/testkit';
import { describe, expect, it } from 'vitest';
import { ROOT } from './stack-entries';

const run = promisify(execFile);

/** `npm run pack`'s packer: every workspace package that is not private. */
const packer = createRequire(__filename)(join(ROOT, 'infra/scripts/pack-packages.js')) as { publicPackages(): string[]; pack(destination: string): string[] };

/** examples/my-app installed from the packed packages, in a temp dir of its own. */
interface InstalledApp {
  /** The app's directory. */
  app: string;
  /** Made by the package's own keys CLI (`npx floodgate-keys create`), as the example's README says. */
  apiKey: string;
}

/** The installed app running under its own pm2, on a private Redis. */
interface RunningApp {
  apiUrl: string;
  dashboardUrl: string;
  dashboardPassword: string;
}

/** Packs every public package and installs examples/my-app from the tarballs into `dir`, then makes its key. */
async function installApp(dir: string): Promise<InstalledApp> {
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
  const apiKey = created.stdout.split('\n')[0] ?? '';
  expect(apiKey).toMatch(/^fg_/);
  expect(created.stdout).toContain('./api-keys.json');
  return { app, apiKey };
}

/**
 * `installed`: the app installed from the packed packages; `running`: it started under pm2 on a
 * private Redis. Each is made once for the file, by the first test that asks, and removed after it.
 */
const test = it.extend<{ installed: InstalledApp; running: RunningApp }>({
  installed: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const dir = await mkdtemp(join(tmpdir(), 'floodgate-my-app-'));
      try {
        await use(await installApp(dir));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    { scope: 'file' },
  ],
  running: [
    async ({ installed: { app } }, use) => {
      const redis = await startRedis();
      const [apiPort, dashboardPort] = [await freePort(), await freePort()];
      const dashboardPassword = `example-${Math.random().toString(36).slice(2)}`;
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PM2_HOME: join(app, '..', 'pm2'),
        REDIS_URL: redis.url,
        API_PORT: String(apiPort),
        DASHBOARD_PORT: String(dashboardPort),
        API_METRICS_PORT: '0', API_HEALTH_PORT: '0',
        WORKER_METRICS_PORT: '0',
        API_KEYS_FILE: './api-keys.json',
        DASHBOARD_PASSWORD: dashboardPassword,
        LOG_LEVEL: 'warn',
      };
      const pm2 = async (...args: string[]) => (await run(join(app, 'node_modules/.bin/pm2'), args, { cwd: app, env, timeout: 90_000 })).stdout;
      try {
        await pm2('start', 'ecosystem.config.js');
        await use({ apiUrl: `http://127.0.0.1:${apiPort}`, dashboardUrl: `http://127.0.0.1:${dashboardPort}`, dashboardPassword });
      } finally {
        await pm2('kill').catch(() => undefined);
        await redis.stop();
      }
    },
    { scope: 'file' },
  ],
});

/** Packing, installing and starting the app, for whichever test comes first: minutes on a busy machine. */
const slow = { timeout: 420_000 };

/**
 * examples/my-app as a new user runs it: outside the workspace, the packages
 * installed from `pnpm pack` tarballs (as npm would get them from a registry),
 * its own job type, its own ecosystem file under pm2. A broken `exports`, a
 * file left out of `files`, a dependency on a package that is not published,
 * or a catalog that cannot be replaced fails here.
 */
describe('an app of its own (examples/my-app), installed from the packed packages', () => {
  it('publishes every package an app installs, and what they depend on', async () => {
    const published = await Promise.all(packer.publicPackages().map(async (dir) => (JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name: string }).name));
    expect(published.sort()).toEqual(['@floodgate/api', '@floodgate/client', '@floodgate/core', '@floodgate/dashboard', '@floodgate/shared', '@floodgate/worker']);
  });

  test('ships every file its packages\' exports name, and a README each', slow, async ({ installed: { app } }) => {
    const installed = join(app, 'node_modules/@floodgate');
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

  test('runs its own job type end to end: validated by its schema, done by its handler', slow, async ({ installed: { apiKey }, running: { apiUrl } }) => {
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

  test('enqueues and waits through the packaged client (enqueue.js), as CommonJS', slow, async ({ installed: { app, apiKey }, running: { apiUrl } }) => {
    const { stdout } = await run('node', ['enqueue.js'], {
      cwd: app,
      env: { PATH: process.env.PATH, FLOODGATE_URL: apiUrl, FLOODGATE_API_KEY: apiKey },
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toMatchObject({ state: 'completed', result: { sum: 10, count: 4 } });
  });

  test('shows its queue in the dashboard', slow, async ({ running: { dashboardUrl, dashboardPassword } }) => {
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
