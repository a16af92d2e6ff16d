import { fairPartition } from '@floodgate/shared/fairness';
import { createLogger } from '@floodgate/shared/logger';
import { heartbeatKey } from '@floodgate/shared/redis';
import { writeHeartbeat, type WorkerHeartbeat } from '@floodgate/shared/workers';
import { waitFor } from '@floodgate/testkit';
import { describe, expect } from 'vitest';
import { createApp, OVERVIEW_PATH } from '../app';
import { dashboardTest, failComputeJobs, type DashboardStore } from '../testing/dashboard-test';
import { serve, signIn, type Served } from '../testing/serve';

const admin = { user: 'admin', password: 'correct horse battery staple' };
const viewer = { user: 'viewer', password: 'just looking, thank you' };
const API = `${OVERVIEW_PATH}/api`;
const silent = createLogger({ name: 'overview-test', level: 'silent', pretty: false });

/** A dashboard over three failed compute jobs, for one test, with the admin and the viewer signed in. */
interface Overview extends DashboardStore {
  served: Served;
  adminCookie: string;
  viewerCookie: string;
  get(path: string, cookie?: string): Promise<Response>;
  post(path: string, cookie: string, headers?: Record<string, string>): Promise<Response>;
}

const test = dashboardTest.extend<{ overview: Overview }>({
  overview: async ({ redis, store }, use) => {
    await failComputeJobs(redis, store, 3);
    const { queues, connection, prefix } = store;
    const served = await serve(createApp({ queues, redis: connection, prefix, admin, viewer, sessionSecret: 'a session secret of well over thirty-two characters', logger: silent }));
    const adminCookie = await signIn(served.url, admin.user, admin.password);
    const viewerCookie = await signIn(served.url, viewer.user, viewer.password);
    const get = (path: string, cookie?: string) => fetch(`${served.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
    const post = (path: string, cookie: string, headers: Record<string, string> = { origin: served.url }) =>
      fetch(`${served.url}${path}`, { method: 'POST', headers: { ...headers, cookie }, redirect: 'manual' });
    await use({ ...store, served, adminCookie, viewerCookie, get, post });
    await served.close();
  },
});

describe('the overview routes', () => {
  test('sends a signed-out page to the login form (and back), and answers its API 401', async ({ overview: { get } }) => {
    const page = await get(OVERVIEW_PATH);
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe(`/login?next=${encodeURIComponent(OVERVIEW_PATH)}`);
    const data = await get(`${API}/data`);
    expect(data.status).toBe(401);
    expect(((await data.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  test('serves the page under a strict CSP, uPlot from its package, and nothing else of the package', async ({ overview: { get, viewerCookie } }) => {
    const page = await get(OVERVIEW_PATH, viewerCookie);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe');
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/); // no inline script
    expect(html).not.toMatch(/\sstyle=/);
    for (const asset of [...html.matchAll(/(?:src|href)="(\/admin\/overview\/assets\/[^"]+)"/g)].map((m) => m[1] ?? '')) {
      expect((await get(asset, viewerCookie)).status, asset).toBe(200);
    }
    expect((await get(`${OVERVIEW_PATH}/assets/uplot/package.json`, viewerCookie)).status).toBe(404);
    expect((await get(`${OVERVIEW_PATH}/assets/uplot/uPlot.iife.min.js`)).status).toBe(302);
  });

  test('gives the data of a window, and refuses an unknown window', async ({ overview: { get, viewerCookie } }) => {
    const res = await get(`${API}/data?window=1h`, viewerCookie);
    const body = (await res.json()) as { role: string; times: number[]; types: Array<{ type: string; counts: { failed: number } }> };
    expect(body.role).toBe('viewer');
    expect(body.times).toHaveLength(60);
    expect(body.types.find((t) => t.type === 'compute')?.counts.failed).toBe(3);
    expect((await get(`${API}/data?window=7d`, viewerCookie)).status).toBe(400);
  });

  test('lists a worker that stops beating as gone, not dropped', async ({ overview: { get, viewerCookie, connection, prefix } }) => {
    const beat: WorkerHeartbeat = {
      id: 'test-host:4242',
      host: 'test-host',
      pid: 4242,
      queues: [{ type: 'compute', concurrency: 2, active: 1 }],
      cpuThreads: 1,
      eventLoopDelayP99Ms: 3,
      rssBytes: 1_000_000,
      uptimeSeconds: 5,
      startedAt: new Date().toISOString(),
      beatAt: new Date().toISOString(),
    };
    await writeHeartbeat(connection, prefix, beat, 60_000);
    const workers = async () => ((await (await get(`${API}/data`, viewerCookie)).json()) as { workers: Array<{ id: string; alive: boolean }> }).workers;
    // The live list is at most a second old (one listing shared by every poll): wait for it to catch up.
    const listedAs = (alive: boolean) => waitFor(async () => (await workers()).some((worker) => worker.id === beat.id && worker.alive === alive));
    await listedAs(true);
    expect(await workers()).toEqual([expect.objectContaining({ id: beat.id, alive: true })]);
    await connection.del(heartbeatKey(prefix, beat.id)); // as when its TTL runs out
    await listedAs(false);
    expect(await workers()).toEqual([expect.objectContaining({ id: beat.id, alive: false, pid: 4242 })]);
  });

  test('answers many polls from one listing of the workers', async ({ overview: { get, viewerCookie, connection } }) => {
    const scans = async () => Number(/cmdstat_scan:calls=(\d+)/.exec(await connection.info('commandstats'))?.[1] ?? 0);
    const before = await scans();
    const polls = await Promise.all(Array.from({ length: 10 }, () => get(`${API}/data`, viewerCookie)));
    expect(polls.map((res) => res.status)).toEqual(Array.from({ length: 10 }, () => 200));
    // A second listing only if the polls straddle the second one is kept.
    expect((await scans()) - before).toBeLessThanOrEqual(2);
  });

  test('refuses every action to the viewer (403) and to a cross-site request (CSRF), changing nothing', async ({ overview: { post, adminCookie, viewerCookie, queues } }) => {
    for (const action of ['pause', 'resume', 'retry-failed']) {
      const res = await post(`${API}/queues/compute/${action}`, viewerCookie);
      expect(res.status, action).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    }
    const forged = await post(`${API}/queues/compute/pause`, adminCookie, { origin: 'http://evil.example' });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('csrf_rejected');
    expect(await queues.compute.isPaused()).toBe(false);
    expect(await queues.compute.first.getFailedCount()).toBe(3);
  });

  test("lets the admin retry a type's failed jobs, bounded, and says how many", async ({ overview: { post, adminCookie, queues } }) => {
    const res = await post(`${API}/queues/compute/retry-failed`, adminCookie);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ type: 'compute', retried: 3, stillFailed: 0 });
    expect(await queues.compute.first.getWaitingCount()).toBe(3);
    expect((await post(`${API}/queues/nope/pause`, adminCookie)).status).toBe(404);
    expect((await post(`${API}/queues/compute/obliterate`, adminCookie)).status).toBe(404);
  });

  test("shows the busiest tenants of each type and lets the admin (only) pause and resume one", async ({ overview: { get, post, adminCookie, viewerCookie, connection, queues } }) => {
    const fair = fairPartition(connection, queues.sentiment.first);
    for (let n = 0; n < 3; n++) {
      await fair.add({
        id: `tenant-job-${n}`,
        name: 'sentiment',
        data: JSON.stringify({ text: 'hello' }),
        opts: JSON.stringify({ attempts: 1, tenant: 'key:0123456789ab' }),
        timestamp: Date.now(),
        delayMs: 0,
        priority: 0,
        tenant: { id: 'key:0123456789ab', group: '' },
        weight: 2,
        backlogCap: 0,
      });
    }
    const tenants = async () =>
      ((await (await get(`${API}/data`, viewerCookie)).json()) as { types: Array<{ type: string; tenants: Array<{ tenant: string; backlog: number; weight: number; paused: boolean }> }> }).types.find(
        (t) => t.type === 'sentiment',
      )?.tenants;
    expect(await tenants()).toEqual([expect.objectContaining({ tenant: 'key:0123456789ab', backlog: 3, weight: 2, paused: false })]);
    const path = `${API}/queues/sentiment/tenants/${encodeURIComponent('key:0123456789ab')}`;
    expect((await post(`${path}/pause`, viewerCookie)).status).toBe(403);
    expect(await (await post(`${path}/pause`, adminCookie)).json()).toEqual({ type: 'sentiment', tenant: 'key:0123456789ab', paused: true });
    expect((await tenants())?.[0]?.paused).toBe(true);
    await post(`${path}/resume`, adminCookie);
    expect((await tenants())?.[0]?.paused).toBe(false);
    expect((await post(`${API}/queues/sentiment/tenants/nobody/pause`, adminCookie)).status).toBe(400);
  });

  test('searches with the API rules: finds by payload, refuses a hostile q', async ({ overview: { get, viewerCookie } }) => {
    const found = await get(`${API}/search?type=compute&q=n:2`, viewerCookie);
    expect(((await found.json()) as { jobs: Array<{ data: unknown }> }).jobs.map((job) => job.data)).toEqual([{ n: 2, m: 1 }]);
    const bomb = await get(`${API}/search?type=compute&q=${encodeURIComponent('n:(1+)+$')}`, viewerCookie);
    expect(bomb.status).toBe(400);
    expect(((await bomb.json()) as { error: { code: string } }).error.code).toBe('invalid_search');
    expect((await get(`${API}/search?type=compute&q=${'x'.repeat(5_000)}`, viewerCookie)).status).toBe(400);
  });
});
