import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateApiKey } from '@floodgate/shared/api-keys';
import { jobTypes } from '@floodgate/shared/jobs';
import { freePort, spawnNodeProcess, startRedis, waitFor, type PrivateRedis, type RunningProcess } from '@floodgate/testkit';
import { oncePerFile } from '@floodgate/testkit/fixtures';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { serveFixturePage } from './fixture-page';

/**
 * The overview page against the real thing: a private Redis, two API
 * processes, two worker processes and the dashboard process, in Debian's
 * chromium. Jobs of every type run, a flood is refused, a worker is killed,
 * the admin pauses a type, the viewer cannot act, and the dashboard restarts
 * without losing the history. Screenshots go to test-output/.
 */

const root = resolve(__dirname, '../..');
const outputDir = join(root, 'test-output');
const CHROMIUM = '/usr/bin/chromium';
const apiKey = generateApiKey('overview-e2e', ['admin']);
const auth = { authorization: `Bearer ${apiKey.key}` };
const admin = { user: 'admin', password: 'overview e2e admin password' };
const viewer = { user: 'viewer', password: 'overview e2e viewer password' };
/** Every wait on the page is bounded by this. */
const STEP_MS = 20_000;
/** Heartbeats every 500 ms live 1.5 s: a killed worker turns gone quickly. */
const HEARTBEAT_MS = 500;
/** Every catalog type: a new one is charted and counted here too. */
const TYPES = jobTypes;
/** Jobs of each type the setup runs (and waits for) before any test. */
const SEEDED_PER_TYPE = 4;
/** The processes, the seeded jobs and the flood take a while: the test that starts them waits for them. */
const STARTS_STACK_MS = 240_000;

interface OverviewJson {
  times: number[];
  bucketMs: number;
  types: Array<{ type: string; paused: boolean; completedPerSec: number[]; counts: Record<string, number> }>;
  refusals: Record<string, number[]>;
  memory: Array<{ node: string; used: Array<number | null>; max: Array<number | null> }>;
  workers: Array<{ id: string; alive: boolean }>;
  sources: Array<{ source: string }>;
}

/** What the file's tests share: the processes, the browser, and the refusals of the setup's flood. */
interface OverviewStack {
  redis: PrivateRedis;
  apis: Array<{ url: string; process: RunningProcess }>;
  dashboardUrl: string;
  browser: Browser;
  /** 429s each API answered the flood, by its URL (the only refusals any test causes). */
  refusedBy: Map<string, number>;
  /** 202s the APIs answered the flood, both together: compute jobs run besides the seeded ones. */
  acceptedByFlood: number;
  /** Starts one more worker process on the stack (stopped with it). */
  startWorker(): Promise<RunningProcess>;
  restartDashboard(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A private Redis, two API processes, two workers and the dashboard, with jobs of
 * every type run through both APIs and a refused flood of compute jobs at each.
 */
async function startOverviewStack(): Promise<OverviewStack> {
  mkdirSync(outputDir, { recursive: true });
  // Each step of the teardown is added once what it stops has started; on a failed start, what started is stopped.
  const teardown: Array<() => Promise<unknown>> = [];
  /** Runs the teardown, last started first; a step that fails does not keep the others from running. */
  const stop = async () => {
    const failures: unknown[] = [];
    for (const step of teardown.splice(0).reverse()) await step().catch((err: unknown) => failures.push(err));
    if (failures.length > 0) throw failures[0];
  };
  try {
    const redis = await startRedis({ maxmemory: '64mb' });
    teardown.push(() => redis.stop());
    const site = await serveFixturePage('<html><head><title>fixture</title></head><body><p>fine</p></body></html>');
    teardown.push(() => site.stop());
    const prefix = `{overview-${Math.random().toString(36).slice(2)}}`;
    const common = { REDIS_URL: redis.url, QUEUE_PREFIX: prefix, OVERVIEW_FLUSH_MS: '500', PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS: 'true' };
    const processes: RunningProcess[] = [];
    teardown.push(() => Promise.all(processes.map((p) => p.stop())));
    const spawn = async (app: string, env: Record<string, string>) => {
      const started = await spawnNodeProcess(join(root, `apps/${app}/dist/index.js`), env);
      processes.push(started);
      return started;
    };
    /** Waits for every start, so none ends up running after a failed one made the teardown run. */
    const allStarted = async <T>(starting: Array<Promise<T>>): Promise<T[]> => {
      const settled = await Promise.allSettled(starting);
      const failed = settled.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
    };
    const startApi = async (port: number) => ({
      url: `http://127.0.0.1:${port}`,
      process: await spawn('api', {
        ...common,
        API_PORT: String(port),
        API_METRICS_PORT: '0', API_HEALTH_PORT: '0',
        API_KEYS: JSON.stringify([apiKey.record]),
        // Low on purpose: the flood below must be refused.
        API_RATE_LIMIT: 'compute=5',
        // A busy CI machine lags by itself; this test is about the page, not load shedding.
        API_MAX_EVENT_LOOP_DELAY_MS: '60000',
      }),
    });
    const startWorker = () => spawn('worker', { ...common, WORKER_METRICS_PORT: '0', WORKER_CPU_THREADS: '1', WORKER_HEARTBEAT_MS: String(HEARTBEAT_MS) });
    const dashboardPort = await freePort();
    const dashboardEnv = {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: prefix,
      DASHBOARD_PORT: String(dashboardPort),
      DASHBOARD_USER: admin.user,
      DASHBOARD_PASSWORD: admin.password,
      DASHBOARD_VIEWER_USER: viewer.user,
      DASHBOARD_VIEWER_PASSWORD: viewer.password,
      // Fixed, so a session outlives the dashboard's restart.
      DASHBOARD_SESSION_SECRET: 'overview e2e session secret, long enough to sign with',
    };
    let dashboard = await spawnNodeProcess(join(root, 'apps/dashboard/dist/index.js'), dashboardEnv);
    // The one running now, whichever that is after restarts.
    teardown.push(() => dashboard.stop());
    const apis = await allStarted([startApi(await freePort()), startApi(await freePort())]);
    await allStarted([startWorker(), startWorker()]);

    // Jobs of every type, through both APIs, waited for until they finish.
    const payloads: Record<(typeof TYPES)[number], unknown> = { compute: { n: 5, m: 50 }, sentiment: { text: 'a good and happy day' }, 'page-extract': { url: `${site.origin}/page` } };
    await Promise.all(
      TYPES.flatMap((type) =>
        Array.from({ length: SEEDED_PER_TYPE }, async (_, i) => {
          const res = await fetch(`${apis[i % 2]?.url}/v1/jobs/${type}?wait=20`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ payload: payloads[type] }) });
          const body = (await res.json()) as { state?: string };
          if (body.state !== 'completed') throw new Error(`seeded ${type} job ${i}: ${res.status} ${JSON.stringify(body)}`);
        }),
      ),
    );
    // A flood of compute jobs at both APIs: far past 5/s per client, so most are refused (429 rate_limited).
    const refusedBy = new Map<string, number>();
    let acceptedByFlood = 0;
    for (const api of apis) {
      const statuses = await Promise.all(
        Array.from({ length: 60 }, () =>
          fetch(`${api.url}/v1/jobs/compute`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ payload: { n: 1, m: 1 } }) }).then(async (res) => (await res.arrayBuffer(), res.status)),
        ),
      );
      refusedBy.set(api.url, statuses.filter((status) => status === 429).length);
      // The ones let through run too, and count among the completed.
      acceptedByFlood += statuses.filter((status) => status === 202).length;
    }
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking'], timeout: STEP_MS });
    teardown.push(() => browser.close().catch(() => undefined));
    return {
      redis,
      apis,
      dashboardUrl: `http://127.0.0.1:${dashboardPort}`,
      browser,
      refusedBy,
      acceptedByFlood,
      startWorker,
      async restartDashboard() {
        await dashboard.stop();
        dashboard = await spawnNodeProcess(join(root, 'apps/dashboard/dist/index.js'), dashboardEnv);
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/** A browser context that only talks to the dashboard and records CSP violations. */
async function newContext(stack: OverviewStack, viewport: { width: number; height: number }): Promise<BrowserContext> {
  const created = await stack.browser.newContext({ viewport });
  created.setDefaultTimeout(STEP_MS);
  created.setDefaultNavigationTimeout(STEP_MS);
  await created.route('**/*', (route) => (route.request().url().startsWith(`${stack.dashboardUrl}/`) ? route.continue() : route.abort()));
  await created.addInitScript(() => {
    const scope = globalThis as unknown as { __violations: string[]; document: { addEventListener(type: string, listener: (event: { effectiveDirective: string; blockedURI: string }) => void): void } };
    scope.__violations = [];
    scope.document.addEventListener('securitypolicyviolation', (event) => scope.__violations.push(`${event.effectiveDirective} ${event.blockedURI}`));
  });
  return created;
}

async function signIn(stack: OverviewStack, target: Page, account: { user: string; password: string }): Promise<void> {
  await target.goto(`${stack.dashboardUrl}/admin/overview`);
  expect(new URL(target.url()).pathname).toBe('/login');
  await target.locator('#user').fill(account.user);
  await target.locator('#password').fill(account.password);
  await target.getByRole('button', { name: 'Sign in' }).click();
  await target.waitForURL((url) => url.pathname === '/admin/overview');
  await target.locator('body[data-loaded="true"]').waitFor();
}

/** The page's own JSON, fetched from inside the page (its session, its origin). */
async function overviewJson(target: Page, window = '15m'): Promise<OverviewJson> {
  return target.evaluate(async (url) => (await fetch(url)).json(), `/admin/overview/api/data?window=${window}`) as Promise<OverviewJson>;
}

/** Jobs of `type` completed over the window, summed from its per-second series. */
const completedIn = (data: OverviewJson, type: string) =>
  Math.round(data.types.find((t) => t.type === type)?.completedPerSec.reduce((sum, perSec) => sum + perSec * (data.bucketMs / 1_000), 0) ?? 0);

/** Waits until the history counts, for every type, the jobs its queue holds as completed (`GET /v1/queues`), and returns it. */
async function historyOfEveryCompletedJob(stack: OverviewStack, target: Page, also: (data: OverviewJson) => boolean = () => true): Promise<OverviewJson> {
  return waitFor(
    async () => {
      const { queues } = (await (await fetch(`${stack.apis[0]?.url}/v1/queues`, { headers: auth })).json()) as { queues: Array<{ type: string; counts: { completed?: number } }> };
      const json = await overviewJson(target);
      return queues.every((queue) => completedIn(json, queue.type) === (queue.counts.completed ?? 0)) && also(json) ? json : undefined;
    },
    { timeoutMs: STEP_MS, intervalMs: 500, description: 'every completed job in the history' },
  );
}

/** The page ran under its strict CSP without a single violation. */
async function expectNoCspViolations(target: Page): Promise<void> {
  expect(await target.evaluate(() => (globalThis as unknown as { __violations?: string[] }).__violations ?? [])).toEqual([]);
}

/** Starts a worker, waits for its row on `target`, SIGKILLs it and waits for the row to turn gone. */
async function killAWorker(stack: OverviewStack, target: Page): Promise<void> {
  const victim = await stack.startWorker();
  const row = target.locator(`#workers tr[data-worker-id$=":${victim.pid}"]`);
  // The page polls every 3 s; a beat lives 3 × 500 ms.
  await waitFor(async () => (await row.getAttribute('data-state').catch(() => null)) === 'live', { timeoutMs: STEP_MS, intervalMs: 200, description: 'the new worker shown live' });
  await victim.kill();
  await waitFor(async () => (await row.getAttribute('data-state')) === 'gone', { timeoutMs: STEP_MS, intervalMs: 200, description: 'the killed worker shown as gone' });
}

/**
 * The stack for the file, started by the first test; each test signs in a page of its
 * own (`page`: the admin's, at desktop width), closed after it.
 */
const test = it.extend<{ stack: OverviewStack; page: Page }>({
  stack: oncePerFile(startOverviewStack),
  page: async ({ stack }, use) => {
    const context = await newContext(stack, { width: 1280, height: 800 });
    const page = await context.newPage();
    await signIn(stack, page, admin);
    await use(page);
    await context.close();
  },
});

describe('the overview page', () => {
  test('draws each type, the refusals of the flood from both APIs, Redis memory and the live workers', async ({ stack, page }) => {
    for (const type of TYPES) await page.locator(`[data-chart="throughput-${type}"][data-nonzero="true"] canvas`).waitFor();
    await page.locator('#admission[data-nonzero="true"]').waitFor();
    expect(await page.locator('#admission').getAttribute('data-series')).toContain('rate_limited');

    // Every refusal of both processes is in the history, and both are named as sources.
    const totalRefused = [...stack.refusedBy.values()].reduce((a, b) => a + b, 0);
    for (const count of stack.refusedBy.values()) expect(count).toBeGreaterThan(0);
    // Besides the queues' own counts, the compute jobs counted here: the seeded ones and every one the flood got through
    // (tests running before this one may have added more). Waited for too, as the flood's jobs may still be running.
    const computeRun = SEEDED_PER_TYPE + stack.acceptedByFlood;
    const refusedIn = (json: OverviewJson) => Math.round((json.refusals.rate_limited ?? []).reduce((sum, perSec) => sum + perSec * (json.bucketMs / 1_000), 0));
    const data = await historyOfEveryCompletedJob(stack, page, (json) => refusedIn(json) === totalRefused && completedIn(json, 'compute') >= computeRun);
    for (const type of TYPES) expect(completedIn(data, type), type).toBeGreaterThanOrEqual(SEEDED_PER_TYPE);
    expect(completedIn(data, 'compute')).toBeGreaterThanOrEqual(computeRun);
    for (const api of stack.apis) expect(data.sources.map((s) => s.source)).toContainEqual(expect.stringMatching(new RegExp(`^api:.+:${api.process.pid}$`)));
    expect(data.memory.map((m) => m.node)).toEqual([`127.0.0.1:${stack.redis.port}`]);
    expect(data.memory[0]?.max.some((max) => max === 64 * 1024 * 1024)).toBe(true);

    // The live worker list is the API's: the stack's two workers.
    const fromApi = (await (await fetch(`${stack.apis[0]?.url}/v1/workers`, { headers: auth })).json()) as { workers: Array<{ id: string }> };
    await waitFor(async () => (await page.locator('#workers tr[data-state="live"]').count()) === fromApi.workers.length, { timeoutMs: STEP_MS });
    const liveIds = await page.locator('#workers tr[data-state="live"]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-worker-id')));
    expect(liveIds.sort()).toEqual(fromApi.workers.map((w) => w.id).sort());
    expect(liveIds).toHaveLength(2);
    await page.screenshot({ path: join(outputDir, 'overview-desktop.png'), fullPage: true });
    await expectNoCspViolations(page);
  }, STARTS_STACK_MS);

  test('shows a killed worker as gone once its heartbeat expires', async ({ stack, page }) => {
    await killAWorker(stack, page);
    // The stack's own two are still live.
    expect(await page.locator('#workers tr[data-state="live"]').count()).toBe(2);
  }, STARTS_STACK_MS);

  test('lets the admin pause a type from the page, which the API then reports paused, and resume it', async ({ stack, page }) => {
    const queueState = async () =>
      ((await (await fetch(`${stack.apis[0]?.url}/v1/queues`, { headers: auth })).json()) as { queues: Array<{ type: string; paused: boolean }> }).queues.find((q) => q.type === 'sentiment')?.paused;
    expect(await queueState()).toBe(false);
    await page.locator('button[data-action="pause"][data-type="sentiment"]').click();
    await waitFor(async () => (await queueState()) === true, { timeoutMs: STEP_MS, description: 'sentiment paused' });
    await page.locator('[data-type-card="sentiment"] .badge.paused').waitFor();
    await page.locator('button[data-action="resume"][data-type="sentiment"]').click();
    await waitFor(async () => (await queueState()) === false, { timeoutMs: STEP_MS, description: 'sentiment resumed' });
  }, STARTS_STACK_MS);

  test("shows a paused tenant's waiting jobs and lets the admin resume it from the page, after which its jobs run", async ({ stack, page }) => {
    const api = stack.apis[0]?.url ?? '';
    const tenant = `key:${apiKey.record.id}`;
    expect((await fetch(`${api}/v1/queues/compute/tenants/${encodeURIComponent(tenant)}/pause`, { method: 'POST', headers: auth })).status).toBe(200);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${api}/v1/jobs/compute`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ payload: { n: 3, m: 30 } }) });
      ids.push(((await res.json()) as { id: string }).id);
    }
    const row = page.locator(`#tenants tr[data-type="compute"][data-tenant="${tenant}"]`);
    await row.locator('.badge.paused').waitFor({ timeout: STEP_MS });
    await waitFor(async () => ((await row.locator('td').nth(2).textContent()) === '2' ? true : undefined), { timeoutMs: STEP_MS, description: 'its 2 jobs in its backlog' });
    await page.locator('#tenants').screenshot({ path: join(outputDir, 'overview-tenants.png') });
    await row.locator('button[data-action="tenant-resume"]').click();
    await waitFor(
      async () => {
        const states = await Promise.all(ids.map(async (id) => ((await (await fetch(`${api}/v1/jobs/compute/${id}`, { headers: auth })).json()) as { state: string }).state));
        return states.every((state) => state === 'completed') ? true : undefined;
      },
      { timeoutMs: STEP_MS, description: "the resumed tenant's jobs completed" },
    );
    // Done and idle, it is still listed for a while, with how long its jobs waited to start.
    await waitFor(async () => ((await row.locator('td').nth(6).textContent()) !== '–' ? true : undefined), { timeoutMs: STEP_MS, description: 'its wait to start shown' });
  }, STARTS_STACK_MS);

  test('searches jobs from the page, and refuses a hostile query', async ({ page }) => {
    await page.locator('#search select[name="type"]').selectOption('page-extract');
    await page.locator('#search input[name="q"]').fill('url.host:127.0.0.1');
    await page.locator('#search button[type="submit"]').click();
    await waitFor(async () => (await page.locator('#results tbody tr[data-job-id]').count()) === SEEDED_PER_TYPE, { timeoutMs: STEP_MS });
    await page.locator('#search input[name="q"]').fill('url:(a+)+$');
    await page.locator('#search button[type="submit"]').click();
    await page.locator('#search-status[data-error="invalid_search"]').waitFor();
  }, STARTS_STACK_MS);

  test('shows the viewer everything but no action, and refuses an action the viewer forces', async ({ stack }) => {
    const viewerContext = await newContext(stack, { width: 390, height: 844 });
    try {
      const phone = await viewerContext.newPage();
      await signIn(stack, phone, viewer);
      for (const type of TYPES) await phone.locator(`[data-chart="throughput-${type}"][data-nonzero="true"] canvas`).waitFor();
      expect(await phone.locator('[data-action]').count()).toBe(0);
      const forced = await phone.evaluate(async () => {
        const res = await fetch('/admin/overview/api/queues/compute/pause', { method: 'POST' });
        return { status: res.status, body: (await res.json()) as { error?: { code?: string } } };
      });
      expect(forced).toEqual({ status: 403, body: { error: { code: 'forbidden', message: expect.any(String) } } });
      expect((await (await fetch(`${stack.apis[0]?.url}/v1/queues`, { headers: auth })).json()) as unknown).toMatchObject({
        queues: expect.arrayContaining([expect.objectContaining({ type: 'compute', paused: false })]),
      });
      await phone.screenshot({ path: join(outputDir, 'overview-phone.png'), fullPage: true });
      await expectNoCspViolations(phone);
    } finally {
      await viewerContext.close();
    }
  }, STARTS_STACK_MS);

  test('keeps the history across a dashboard restart', async ({ stack, page }) => {
    await killAWorker(stack, page);
    const before = await historyOfEveryCompletedJob(stack, page);
    await stack.restartDashboard();
    await page.reload();
    await page.locator('body[data-loaded="true"]').waitFor();
    const after = await overviewJson(page);
    for (const type of TYPES) expect(completedIn(after, type), type).toBe(completedIn(before, type));
    // The worker killed before the restart is still listed, as gone.
    const gone = (data: OverviewJson) => data.workers.filter((w) => !w.alive).map((w) => w.id).sort();
    expect(gone(before).length).toBeGreaterThan(0);
    expect(gone(after)).toEqual(gone(before));
    await expectNoCspViolations(page);
  }, STARTS_STACK_MS);
});
