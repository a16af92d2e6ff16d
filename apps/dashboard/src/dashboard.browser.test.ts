import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger } from '@floodgate/shared/logger';
import { createRedis, waitForRedis } from '@floodgate/shared/redis';
import { startRedis, waitFor, type PrivateRedis } from '@floodgate/testkit';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOARD_PATH, createApp } from './app';
import { closeQueues, createQueues, type DashboardQueues } from './queues';
import { serve, type Served } from './testing/serve';

/**
 * The dashboard in a real browser (Debian's chromium, installed by
 * `npm test`'s bootstrap): a viewer can look at a failed job but the server
 * refuses its retry; an admin retries it with Bull Board's own button and a
 * real worker completes it. Also checks that Bull Board runs under the
 * dashboard's Content-Security-Policy. Screenshots go to test-output/.
 */

const CHROMIUM = '/usr/bin/chromium';
const outputDir = resolve(__dirname, '../../../test-output');
const admin = { user: 'admin', password: 'browser-test admin password' };
const viewer = { user: 'viewer', password: 'browser-test viewer password' };
const FAILURE = 'compute is failing on purpose';
/** Every wait in a page is bounded by this. */
const STEP_MS = 15_000;

describe('the dashboard in a browser', () => {
  const silent = createLogger({ name: 'dashboard-browser-test', level: 'silent', pretty: false });
  let redis: PrivateRedis;
  let connection: Redis;
  let workerConnection: Redis;
  let queues: DashboardQueues;
  let worker: Worker;
  let served: Served;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let job: Job;
  /** While true the compute worker fails every job. */
  let failing = true;
  /** Content-Security-Policy violations the pages reported. */
  const violations: string[] = [];
  /** Requests the browser tried to send anywhere but the dashboard. */
  const offsite: string[] = [];

  beforeAll(async () => {
    mkdirSync(outputDir, { recursive: true });
    redis = await startRedis();
    connection = createRedis('producer', { url: redis.url, logger: silent });
    await waitForRedis(connection);
    // The queues exactly as the dashboard opens them, under a prefix of this test's own.
    const prefix = `{fg-browser-${randomUUID()}}`;
    queues = createQueues(connection, prefix);
    workerConnection = createRedis('worker', { url: redis.url, logger: silent });
    worker = new Worker(
      'compute',
      async (current) => {
        if (failing) throw new Error(FAILURE);
        return { operations: (current.data as { n: number; m: number }).n, checksum: '00000000' };
      },
      { connection: workerConnection, prefix },
    );
    await worker.waitUntilReady();

    job = await queues.compute.first.add('compute', { n: 3, m: 5 }, { attempts: 1 });
    await waitFor(async () => (await job.getState()) === 'failed', { timeoutMs: STEP_MS, description: 'the compute job to fail' });

    served = await serve(
      createApp({ queues, redis: connection, prefix, admin, viewer, sessionSecret: `browser-test-${randomUUID()}`, logger: silent, loginThrottle: { freeAttempts: 100 } }),
    );

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking'], timeout: STEP_MS });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(STEP_MS);
    context.setDefaultNavigationTimeout(STEP_MS);
    // Nothing leaves the machine: anything not for the dashboard is aborted (and noted).
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${served.url}/`)) return route.continue();
      offsite.push(url);
      return route.abort();
    });
    await context.addInitScript(() => {
      // Runs in the page (this package compiles without the DOM's types, hence the narrow cast).
      type Violation = { effectiveDirective: string; blockedURI: string };
      const scope = globalThis as unknown as {
        __violations: string[];
        document: { addEventListener(type: 'securitypolicyviolation', listener: (event: Violation) => void): void };
      };
      scope.__violations = [];
      scope.document.addEventListener('securitypolicyviolation', (event) => scope.__violations.push(`${event.effectiveDirective} ${event.blockedURI}`));
    });
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await served?.close();
    await worker?.close();
    workerConnection?.disconnect();
    if (queues) await closeQueues(queues);
    connection?.disconnect();
    await redis?.stop();
  }, 30_000);

  /** Collects the CSP violations of the current page before it is left. */
  async function collectViolations(): Promise<void> {
    violations.push(...(await page.evaluate(() => (globalThis as unknown as { __violations?: string[] }).__violations ?? [])));
  }

  async function signInThroughTheForm(user: string, password: string, target: string): Promise<void> {
    await page.goto(`${served.url}${target}`);
    // Signed out: the board sends the browser to the form, which will bring it back.
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.locator('#user').fill(user);
    await page.locator('#password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => `${url.pathname}${url.search}` === target);
  }

  it('shows a viewer the failed job, without a retry button, and the server refuses its retry', async () => {
    const jobPage = `${BOARD_PATH}/queue/compute/${job.id}`;
    await signInThroughTheForm(viewer.user, viewer.password, jobPage);
    await page.getByText(FAILURE).first().waitFor();
    await page.getByText('read-only').first().waitFor();
    // Bull Board's UI hides every action on a read-only board.
    expect(await page.locator('button:has(svg.lucide-refresh-cw)').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Retry all' }).count()).toBe(0);

    // So the retry goes to Bull Board's API from the page itself, as a tampered UI would send it.
    const path = `${BOARD_PATH}/api/queues/compute/${job.id}/retry`;
    const sent = page.waitForRequest((request) => request.url() === `${served.url}${path}`);
    const answer = await page.evaluate(async (url) => {
      const res = await fetch(url, { method: 'PUT' });
      return { status: res.status, body: (await res.json()) as { error?: { code?: string } } };
    }, path);
    // The browser carried the page's Origin, so this is the role guard speaking, not the CSRF check.
    expect((await (await sent).allHeaders()).origin).toBe(served.url);
    expect(answer).toEqual({ status: 403, body: { error: { code: 'forbidden', message: expect.any(String) } } });
    expect(await job.getState()).toBe('failed');

    await page.screenshot({ path: join(outputDir, 'dashboard-viewer.png'), fullPage: true });
    await collectViolations();

    // Sign out the way the board's header link goes: a page with a button.
    await page.goto(`${served.url}/logout`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    await page.getByText('You are signed out.').waitFor();
    // The cookie is gone: the API turns the browser away. (Not a fetch from the login page: its CSP allows none.)
    expect((await page.goto(`${served.url}${BOARD_PATH}/api/queues`))?.status()).toBe(401);
  }, 60_000);

  it("lets an admin retry the failed job with Bull Board's Retry button, and the worker completes it", async () => {
    const failedView = `${BOARD_PATH}/queue/compute?status=failed`;
    // The viewer signed out above (and that was checked); start clean even if that test failed half-way.
    await context.clearCookies();
    await signInThroughTheForm(admin.user, admin.password, failedView);
    await page.getByText(FAILURE).first().waitFor();

    failing = false;
    // The job card's retry icon (the page's other one is "Retry all"); its tooltip says so.
    const retry = page.locator('button:has(svg.lucide-refresh-cw)').filter({ hasNotText: 'Retry all' });
    expect(await retry.count()).toBe(1);
    await retry.hover();
    await page.getByText('Retry', { exact: true }).first().waitFor();
    const answered = page.waitForResponse((res) => res.url() === `${served.url}${BOARD_PATH}/api/queues/compute/${job.id}/retry`);
    await retry.click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
    expect((await answered).status()).toBe(204);

    await waitFor(async () => (await queues.compute.getJob(job.id ?? ''))?.getState().then((state) => state === 'completed'), {
      timeoutMs: STEP_MS,
      description: 'the retried job to complete',
    });
    expect((await queues.compute.getJob(job.id ?? ''))?.attemptsMade).toBe(2);

    // The board shows it among the completed jobs.
    await page.goto(`${served.url}${BOARD_PATH}/queue/compute?status=completed`);
    await page.getByText(`#${job.id}`).first().waitFor();
    await page.screenshot({ path: join(outputDir, 'dashboard-admin.png'), fullPage: true });
    await collectViolations();

    // Bull Board ran under the board's CSP: the only thing refused was the
    // third-party font stylesheet its page links (refused on purpose).
    expect(violations.length).toBeGreaterThan(0);
    for (const violation of violations) expect(violation).toMatch(/^style-src-elem https:\/\/fonts\.googleapis\.com\//);
    expect(offsite).toEqual([]);
  }, 60_000);
});
