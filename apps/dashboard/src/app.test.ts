import { partitionCounts } from '@floodgate/shared/queues';
import type { Job } from 'bullmq';
import express from 'express';
import { describe, expect } from 'vitest';
import { BOARD_PATH, createApp, createBoard, type DashboardDeps } from './app';
import { closeQueues, createQueues } from './queues';
import { SessionCodec } from './session';
import { dashboardTest, failComputeJobs, type DashboardStore } from './testing/dashboard-test';
import { postLogin, recordingLogger, serve, sessionCookieOf, signIn, type LoggedLine, type Served } from './testing/serve';

const admin = { user: 'admin', password: 'correct horse battery staple' };
const viewer = { user: 'viewer', password: 'just looking, thank you' };
const sessionSecret = 'a session secret of well over thirty-two characters';
// A file Bull Board really ships, so a redirect on it proves the auth, not a missing file.
const STATIC_ASSET = `${BOARD_PATH}/static/favicon-32x32.png`;
const API = `${BOARD_PATH}/api`;

interface BoardQueue {
  name: string;
  description?: string;
  counts: Record<string, number>;
  readOnlyMode: boolean;
  allowRetries: boolean;
  jobs: Array<{ id: string; name: string; data: unknown }>;
}

/** The dashboard for one test, served over its own store, where four compute jobs failed. */
interface Dashboard extends DashboardStore {
  served: Served;
  /** What the app logged. */
  lines: LoggedLine[];
  /** Failed compute jobs, made by a real worker whose handler throws. */
  failed: Job[];
  /** What the app was made with, for a test that makes another. */
  deps: DashboardDeps;
  get(path: string, cookie?: string): Promise<Response>;
  /** An unsafe request as the dashboard's own page sends it: with its Origin. */
  put(path: string, cookie?: string, headers?: Record<string, string>): Promise<Response>;
  /** A compute job's state now, `removed` once it is gone. */
  state(job: Job): Promise<string>;
}

const test = dashboardTest.extend<{ dashboard: Dashboard }>({
  dashboard: async ({ redis, store }, use) => {
    // The worker is closed by then, so a retried job stays waiting and the test sees exactly what the dashboard did.
    const failed = await failComputeJobs(redis, store, 4);
    const { queues, connection, prefix } = store;
    const recording = recordingLogger();
    // A generous throttle: these tests fail logins on purpose; the throttle has its own app below.
    const deps = { queues, redis: connection, prefix, admin, viewer, sessionSecret, logger: recording.logger, loginThrottle: { freeAttempts: 1_000 } };
    const served = await serve(createApp(deps));
    const get = (path: string, cookie?: string) =>
      fetch(`${served.url}${path}`, { headers: cookie === undefined ? {} : { cookie }, redirect: 'manual' });
    const put = (path: string, cookie?: string, headers: Record<string, string> = { origin: served.url }) =>
      fetch(`${served.url}${path}`, { method: 'PUT', headers: { ...headers, ...(cookie ? { cookie } : {}) }, redirect: 'manual' });
    const state = async (job: Job) => (await queues.compute.getJob(job.id ?? ''))?.getState() ?? 'removed';
    await use({ ...store, served, lines: recording.lines, failed, deps, get, put, state });
    await served.close();
  },
});

describe('the dashboard', () => {
  describe('signed out', () => {
    test('redirects pages to the login form, which brings the person back', async ({ dashboard: { get } }) => {
      for (const path of [`${BOARD_PATH}/queue/compute?status=failed`, STATIC_ASSET]) {
        const res = await get(path);
        expect(res.status, path).toBe(302);
        expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent(path)}`);
      }
      // The board's front page is where a login goes anyway.
      for (const path of [BOARD_PATH, '/', '/nope']) {
        const res = await get(path);
        expect(res.status, path).toBe(302);
        expect(res.headers.get('location')).toBe('/login');
      }
    });

    test('answers the JSON API, and every unsafe method, with 401 JSON', async ({ dashboard: { get, put, queues } }) => {
      for (const res of [await get(`${API}/queues`), await put(`${API}/queues/compute/empty`), await put('/nope')]) {
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
      }
      // Nothing reached Bull Board, which would have emptied the queue.
      expect(await queues.compute.first.getFailedCount()).toBeGreaterThan(0);
    });

    test('answers /healthz', async ({ dashboard: { get } }) => {
      const res = await get('/healthz');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    });

    test('serves a login form without any script, under a strict CSP', async ({ dashboard: { get } }) => {
      const res = await get('/login?next=%2Fadmin%2Fqueues%2Fqueue%2Fcompute');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const html = await res.text();
      expect(html).toContain('<form method="post" action="/login">');
      expect(html).toContain('name="next" value="/admin/queues/queue/compute"');
      expect(html).not.toMatch(/<script|\son\w+=|style=/i);
      expect(res.headers.get('content-security-policy')).toBe(
        "default-src 'none';style-src 'self';img-src 'self';form-action 'self';base-uri 'none';frame-ancestors 'none'",
      );
      const css = await get('/login.css');
      expect(css.status).toBe(200);
      expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    });
  });

  describe('login', () => {
    test('signs the admin in with a session cookie: HttpOnly, SameSite=Strict, Path=/, 8 hours', async ({ dashboard: { served, lines, get } }) => {
      const res = await postLogin(served.url, { ...admin, next: `${BOARD_PATH}/queue/compute?status=failed` });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`${BOARD_PATH}/queue/compute?status=failed`);
      const [setCookie] = res.headers.getSetCookie();
      expect(setCookie).toMatch(/^floodgate_session=v1\.[\w-]+\.[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=28800$/);
      expect(setCookie).not.toMatch(/Secure/);
      expect(lines).toContainEqual({ level: 'info', msg: 'dashboard login', fields: expect.objectContaining({ user: 'admin', role: 'admin' }) });

      const cookie = sessionCookieOf(res);
      const page = await get(BOARD_PATH, cookie);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('floodgate');
      expect((await get(STATIC_ASSET, cookie)).status).toBe(200);
      const root = await get('/', cookie);
      expect(root.status).toBe(302);
      expect(root.headers.get('location')).toBe(BOARD_PATH);
      // Signed in already: the form sends the person on.
      expect((await get('/login', cookie)).headers.get('location')).toBe(BOARD_PATH);
    });

    test('never redirects off the board after a login', async ({ dashboard: { served } }) => {
      for (const next of ['//evil.example/', '/\\evil.example', 'https://evil.example/', '/admin/queues/../../x', '/admin/queues/%2e%2e/x', '/login', '/admin/queuesX']) {
        const res = await postLogin(served.url, { ...admin, next });
        expect(res.status, next).toBe(303);
        expect(res.headers.get('location'), next).toBe(BOARD_PATH);
      }
    });

    test('refuses a wrong user or password with 401, no cookie, and a log line without the password', async ({ dashboard: { served, lines } }) => {
      const attempts = [
        { user: admin.user, password: 'wrong' },
        { user: admin.user, password: `${admin.password} ` },
        { user: 'ADMIN', password: admin.password },
        { user: viewer.user, password: admin.password },
        { user: admin.password, password: admin.password },
      ];
      for (const attempt of attempts) {
        lines.length = 0;
        const res = await postLogin(served.url, attempt);
        expect(res.status, JSON.stringify(attempt)).toBe(401);
        expect(sessionCookieOf(res)).toBeUndefined();
        expect(await res.text()).toContain('Wrong user or password.');
        expect(lines).toEqual([{ level: 'warn', msg: 'dashboard login failed', fields: expect.objectContaining({ ip: expect.any(String) }) }]);
        const logged = JSON.stringify(lines);
        expect(logged).not.toContain(attempt.password);
        expect(logged).not.toContain(admin.password);
      }
      const empty = await postLogin(served.url, { user: admin.user, password: '' });
      expect(empty.status).toBe(400);
    });

    test('refuses tampered, foreign, expired and unknown-user session cookies', async ({ dashboard: { served, get } }) => {
      const cookie = await signIn(served.url, viewer.user, viewer.password);
      const [name, token = ''] = cookie.split('=') as [string, string];
      const [version, payload = '', mac = ''] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      const promoted = Buffer.from(JSON.stringify({ ...claims, r: 'admin' })).toString('base64url');
      const real = new SessionCodec(sessionSecret);
      const hour = 3_600_000;
      const forged = [
        `${version}.${promoted}.${mac}`, // the viewer made admin, signature kept
        // One character of the MAC: the first, whose six bits all count (the last one's low bits are padding).
        `${version}.${payload}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`,
        `${version}.${payload}`, // no MAC
        new SessionCodec('another secret, just as long as the real one').issue('admin', 'admin').token,
        real.sign({ user: 'admin', role: 'admin', id: 'x', expiresAt: Date.now() - 1 }), // expired a moment ago
        real.issue('admin', 'admin', Date.now() - 8 * hour - 1).token, // issued 8 hours ago
        real.issue('mallory', 'admin').token, // no such user
        real.issue('viewer', 'admin').token, // a user in a role it does not have
        'garbage',
      ];
      expect((await get(`${API}/queues`, cookie)).status).toBe(200);
      for (const bad of forged) {
        expect((await get(`${API}/queues`, `${name}=${bad}`)).status, bad).toBe(401);
        expect((await get(BOARD_PATH, `${name}=${bad}`)).status, bad).toBe(302);
      }
      // The real key still works, so the refusals above are about the cookies, not the codec.
      expect((await get(`${API}/queues`, `${name}=${real.issue('viewer', 'viewer').token}`)).status).toBe(200);
    });

    test('logs out: the cookie is cleared, and refused even if replayed', async ({ dashboard: { served, get } }) => {
      const cookie = await signIn(served.url, admin.user, admin.password);
      expect((await get(`${API}/queues`, cookie)).status).toBe(200);
      const page = await get('/logout', cookie);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<form method="post" action="/logout">');

      const res = await fetch(`${served.url}/logout`, { method: 'POST', headers: { cookie, origin: served.url }, redirect: 'manual' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/login?signedOut=1');
      expect(res.headers.getSetCookie()).toEqual(['floodgate_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0']);
      expect((await get(`${API}/queues`, cookie)).status).toBe(401);
      expect((await get(BOARD_PATH, cookie)).status).toBe(302);
    });
  });

  describe('roles', () => {
    test('gives the viewer a read-only board and the admin a full one', async ({ dashboard: { served, get } }) => {
      const queuesAs = async (cookie: string) => {
        const res = await get(`${API}/queues?activeQueue=compute&status=failed&page=1`, cookie);
        expect(res.status).toBe(200);
        return ((await res.json()) as { queues: BoardQueue[] }).queues;
      };
      const asViewer = await queuesAs(await signIn(served.url, viewer.user, viewer.password));
      const asAdmin = await queuesAs(await signIn(served.url, admin.user, admin.password));
      for (const list of [asViewer, asAdmin]) expect(list.map((q) => q.name).sort()).toEqual(['compute', 'page-extract', 'sentiment']);
      expect(asViewer.every((q) => q.readOnlyMode && !q.allowRetries)).toBe(true);
      expect(asAdmin.every((q) => !q.readOnlyMode && q.allowRetries)).toBe(true);
      // The viewer sees everything: jobs, their data, the catalog's descriptions.
      const compute = asViewer.find((q) => q.name === 'compute');
      expect(compute?.description).toMatch(/checksum/);
      expect(compute?.counts.failed).toBeGreaterThan(0);
      expect(compute?.jobs[0]).toMatchObject({ name: 'compute', data: { n: expect.any(Number), m: 1 } });
      // A viewer's board says so on every page.
      const page = await (await get(BOARD_PATH, await signIn(served.url, viewer.user, viewer.password))).text();
      expect(page).toContain('read-only');
    });

    test('refuses every write of a viewer with 403 before Bull Board, while the admin retries and cleans', async ({ dashboard: { served, failed, put, state, queues } }) => {
      const [toRetry, toClean] = failed as [Job, Job];
      const viewerCookie = await signIn(served.url, viewer.user, viewer.password);
      const writes = [
        `${API}/queues/compute/${toRetry.id}/retry`,
        `${API}/queues/compute/${toClean.id}/clean`,
        `${API}/queues/compute/retry/failed`,
        `${API}/queues/compute/clean/failed`,
        `${API}/queues/compute/pause`,
        `${API}/queues/pause`,
        `${API}/queues/compute/empty`,
      ];
      for (const path of writes) {
        const res = await put(path, viewerCookie);
        expect(res.status, path).toBe(403);
        expect(await res.json()).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
      }
      for (const method of ['POST', 'PATCH', 'DELETE']) {
        const res = await fetch(`${served.url}${API}/queues/compute/add`, { method, headers: { cookie: viewerCookie, origin: served.url } });
        expect(res.status, method).toBe(403);
      }
      expect(await state(toRetry)).toBe('failed');
      expect(await state(toClean)).toBe('failed');
      expect(await queues.compute.isPaused()).toBe(false);

      const adminCookie = await signIn(served.url, admin.user, admin.password);
      expect((await put(`${API}/queues/compute/${toRetry.id}/retry`, adminCookie)).status).toBe(204);
      expect(await state(toRetry)).toBe('waiting');
      expect((await put(`${API}/queues/compute/${toClean.id}/clean`, adminCookie)).status).toBe(204);
      expect(await state(toClean)).toBe('removed');
    });

    test('keeps Bull Board itself read-only for viewers, even without our guard in front', async ({ dashboard: { queues, failed, state } }) => {
      // The viewer's board alone, as if viewerIsReadOnly were missing: Bull Board's readOnlyMode refuses on its own.
      const bare = express();
      bare.use(BOARD_PATH, createBoard(queues, 'viewer'));
      const board = await serve(bare);
      try {
        const job = failed[2] as Job;
        const retry = await fetch(`${board.url}${API}/queues/compute/${job.id}/retry`, { method: 'PUT' });
        expect(retry.status).toBe(405);
        expect(await retry.json()).toEqual({ error: { key: 'ERRORS.QUEUE_READ_ONLY' } });
        expect((await fetch(`${board.url}${API}/queues/compute/clean/failed`, { method: 'PUT' })).status).toBe(405);
        // Pause-all only skips read-only queues and says 200: one reason for our own guard.
        expect((await fetch(`${board.url}${API}/queues/pause`, { method: 'PUT' })).status).toBe(200);
        expect(await state(job)).toBe('failed');
        expect(await queues.compute.isPaused()).toBe(false);
      } finally {
        await board.close();
      }
    });
  });

  describe('partitions', () => {
    test('lists each partition of a partitioned type as a queue of its own, with its jobs', async ({ store: { connection, prefix } }) => {
      const partitioned = createQueues(connection, prefix, {
        partitions: { ...partitionCounts(), sentiment: 3 },
        open: { ...partitionCounts(), sentiment: 3 },
      });
      const board = express();
      board.use(BOARD_PATH, createBoard(partitioned, 'admin'));
      const servedBoard = await serve(board);
      try {
        const job = await partitioned.sentiment.partition(2).add('sentiment', { text: 'in the third partition' });
        const listed = (await (await fetch(`${servedBoard.url}${API}/queues`)).json()) as { queues: Array<BoardQueue & { displayName?: string }> };
        const sentiment = listed.queues.filter((queue) => queue.displayName?.startsWith('sentiment'));
        expect(sentiment.map((queue) => queue.displayName)).toEqual(['sentiment #0', 'sentiment #1', 'sentiment #2']);
        expect(sentiment.map((queue) => queue.counts.waiting)).toEqual([0, 0, 1]);
        expect(listed.queues.find((queue) => queue.displayName === 'compute')).toBeDefined();
        const third = sentiment[2]!;
        const jobs = (await (await fetch(`${servedBoard.url}${API}/queues?activeQueue=${encodeURIComponent(third.name)}&status=waiting&page=1`)).json()) as {
          queues: BoardQueue[];
        };
        expect(jobs.queues.find((queue) => queue.name === third.name)?.jobs.map((j) => j.id)).toEqual([job.id]);
      } finally {
        await servedBoard.close();
        await closeQueues(partitioned);
      }
    });
  });

  describe('CSRF', () => {
    test("refuses an unsafe request whose Origin (or Referer) is not this dashboard's host, signed in or not", async ({ dashboard: { served, failed, get, put, state } }) => {
      const job = failed[3] as Job;
      const cookie = await signIn(served.url, admin.user, admin.password);
      const retry = `${API}/queues/compute/${job.id}/retry`;
      const foreign: Array<Record<string, string>> = [
        { origin: 'http://evil.example' },
        { origin: served.url.replace('127.0.0.1', 'localhost') },
        { origin: 'null' },
        { origin: 'null', referer: `${served.url}/admin/queues` },
        { referer: 'http://evil.example/admin/queues' },
        {}, // neither
      ];
      for (const headers of foreign) {
        const res = await put(retry, cookie, headers);
        expect(res.status, JSON.stringify(headers)).toBe(403);
        expect(await res.json()).toEqual({ error: { code: 'csrf_rejected', message: expect.any(String) } });
      }
      expect(await state(job)).toBe('failed');

      // Login and logout are guarded too: a forged login would sign the victim in as the attacker.
      for (const headers of [{ origin: 'http://evil.example' }, {}] as Array<Record<string, string>>) {
        const login = await postLogin(served.url, admin, headers);
        expect(login.status).toBe(403);
        expect(sessionCookieOf(login)).toBeUndefined();
        const logout = await fetch(`${served.url}/logout`, { method: 'POST', headers: { cookie, ...headers }, redirect: 'manual' });
        expect(logout.status).toBe(403);
      }
      expect((await get(`${API}/queues`, cookie)).status).toBe(200);

      // A Referer from this dashboard stands in for a missing Origin.
      expect((await put(retry, cookie, { referer: `${served.url}${BOARD_PATH}/queue/compute` })).status).toBe(204);
      expect(await state(job)).toBe('waiting');
    });
  });

  describe('security headers', () => {
    test('sends helmet headers everywhere, and the board its own CSP', async ({ dashboard: { served, get } }) => {
      const cookie = await signIn(served.url, admin.user, admin.password);
      for (const res of [await get('/login'), await get(BOARD_PATH, cookie), await get(`${API}/queues`, cookie), await get(STATIC_ASSET, cookie)]) {
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('x-frame-options')).toBe('DENY');
        expect(res.headers.get('referrer-policy')).toBe('same-origin');
        expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
        expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
        expect(res.headers.get('x-powered-by')).toBeNull();
        // Plain HTTP here: no HSTS.
        expect(res.headers.get('strict-transport-security')).toBeNull();
      }
      const board = await get(BOARD_PATH, cookie);
      expect(board.headers.get('cache-control')).toBe('no-store');
      expect(board.headers.get('content-security-policy')).toBe(
        "default-src 'self';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline';img-src 'self';font-src 'self';" +
          "connect-src 'self';worker-src 'self';object-src 'none';base-uri 'self';form-action 'self';frame-ancestors 'none'",
      );
    });

    test('with secure cookies: Secure, __Host- prefix, HSTS and upgrade-insecure-requests', async ({ dashboard: { deps } }) => {
      const secure = await serve(createApp({ ...deps, secureCookies: true }));
      try {
        const res = await postLogin(secure.url, admin);
        expect(res.status).toBe(303);
        expect(res.headers.getSetCookie()[0]).toMatch(/^__Host-floodgate_session=v1\..*; Path=\/; HttpOnly; SameSite=Strict; Max-Age=28800; Secure$/);
        expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
        expect(res.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
        const cookie = sessionCookieOf(res);
        expect((await fetch(`${secure.url}${API}/queues`, { headers: { cookie: cookie ?? '' } })).status).toBe(200);
        // The plain cookie name means nothing to a secure dashboard.
        expect((await fetch(`${secure.url}${API}/queues`, { headers: { cookie: (cookie ?? '').replace('__Host-', '') } })).status).toBe(401);
      } finally {
        await secure.close();
      }
    });
  });

  describe('login throttle', () => {
    test('makes an address wait after failed logins, answering 429 without checking the password', async ({ dashboard: { deps } }) => {
      const recording = recordingLogger();
      const throttled = await serve(createApp({ ...deps, logger: recording.logger, loginThrottle: { freeAttempts: 2, baseDelayMs: 60_000 } }));
      try {
        expect((await postLogin(throttled.url, { user: admin.user, password: 'guess 1' })).status).toBe(401);
        expect((await postLogin(throttled.url, { user: admin.user, password: 'guess 2' })).status).toBe(401);
        for (const attempt of [{ user: admin.user, password: 'guess 3' }, admin]) {
          const res = await postLogin(throttled.url, attempt);
          expect(res.status).toBe(429);
          expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(50);
          expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(60);
          expect(sessionCookieOf(res)).toBeUndefined();
          expect(await res.text()).toMatch(/Too many failed logins/);
        }
        expect(recording.lines.filter((line) => line.msg === 'dashboard login failed')).toHaveLength(2);
        expect(recording.lines.filter((line) => line.msg.startsWith('dashboard login refused'))).toHaveLength(2);
      } finally {
        await throttled.close();
      }
    });
  });

  test('answers unknown routes with a JSON 404 once signed in', async ({ dashboard: { served, get } }) => {
    const res = await get('/nope', await signIn(served.url, viewer.user, viewer.password));
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('route_not_found');
  });
});
