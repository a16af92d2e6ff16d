import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger } from '@floodgate/shared/logger';
import { waitFor } from '@floodgate/testkit';
import type { Job } from 'bullmq';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { BOARD_PATH, createApp } from './app';
import type { DashboardQueues } from './queues';
import { dashboardTest, startComputeWorker } from './testing/dashboard-test';
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

const silent = createLogger({ name: 'dashboard-browser-test', level: 'silent', pretty: false });

/** The dashboard over one failed compute job, and the worker that failed it, for one test. */
interface Board {
  served: Served;
  queues: DashboardQueues;
  job: Job;
  /** While `failing` is true the compute worker fails every job. */
  compute: { failing: boolean };
}

/** A page of a browser context of the test's own, that reaches nothing but the test's dashboard. */
interface Browsing {
  page: Page;
  /** Content-Security-Policy violations the pages reported. */
  violations: string[];
  /** Requests the browser tried to send anywhere but the dashboard. */
  offsite: string[];
  /** Collects the CSP violations of the current page before it is left. */
  collectViolations(): Promise<void>;
  signInThroughTheForm(user: string, password: string, target: string): Promise<void>;
}

/** One chromium for the file (the expensive part); a dashboard, a worker and a browser context for each test. */
const test = dashboardTest.extend<{ browser: Browser; board: Board; browsing: Browsing }>({
  browser: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      mkdirSync(outputDir, { recursive: true });
      const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking'], timeout: STEP_MS });
      await use(browser);
      await browser.close().catch(() => undefined);
    },
    { scope: 'file' },
  ],
  board: async ({ redis, store }, use) => {
    const { queues, connection, prefix } = store;
    const compute = { failing: true };
    const computer = startComputeWorker(redis, store, async (current) => {
      if (compute.failing) throw new Error(FAILURE);
      return { operations: (current.data as { n: number; m: number }).n, checksum: '00000000' };
    });
    try {
      await computer.worker.waitUntilReady();

      const job = await queues.compute.first.add('compute', { n: 3, m: 5 }, { attempts: 1 });
      await waitFor(async () => (await job.getState()) === 'failed', { timeoutMs: STEP_MS, description: 'the compute job to fail' });

      const served = await serve(
        createApp({ queues, redis: connection, prefix, admin, viewer, sessionSecret: `browser-test-${randomUUID()}`, logger: silent, loginThrottle: { freeAttempts: 100 } }),
      );
      await use({ served, queues, job, compute });
      await served.close();
    } finally {
      await computer.close();
    }
  },
  browsing: async ({ browser, board: { served } }, use) => {
    const violations: string[] = [];
    const offsite: string[] = [];
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
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
    const page = await context.newPage();
    await use({
      page,
      violations,
      offsite,
      async collectViolations() {
        violations.push(...(await page.evaluate(() => (globalThis as unknown as { __violations?: string[] }).__violations ?? [])));
      },
      async signInThroughTheForm(user, password, target) {
        await page.goto(`${served.url}${target}`);
        // Signed out: the board sends the browser to the form, which will bring it back.
        expect(new URL(page.url()).pathname).toBe('/login');
        await page.locator('#user').fill(user);
        await page.locator('#password').fill(password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL((url) => `${url.pathname}${url.search}` === target);
      },
    });
    await context.close().catch(() => undefined);
  },
});

/**
 * Bull Board ran under the board's CSP: the only thing refused was the
 * third-party font stylesheet its page links (refused on purpose), and the
 * browser sent nothing off the machine.
 */
function expectOnlyTheFontRefused(violations: string[], offsite: string[]): void {
  expect(violations.length).toBeGreaterThan(0);
  for (const violation of violations) expect(violation).toMatch(/^style-src-elem https:\/\/fonts\.googleapis\.com\//);
  expect(offsite).toEqual([]);
}

describe('the dashboard in a browser', () => {
  test('shows a viewer the failed job, without a retry button, and the server refuses its retry', async ({ board: { served, job }, browsing: { page, violations, offsite, collectViolations, signInThroughTheForm } }) => {
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

    // The viewer's pages ran under the board's CSP as well.
    expectOnlyTheFontRefused(violations, offsite);
  }, 60_000);

  test("lets an admin retry the failed job with Bull Board's Retry button, and the worker completes it", async ({
    board: { served, queues, job, compute },
    browsing: { page, violations, offsite, collectViolations, signInThroughTheForm },
  }) => {
    const failedView = `${BOARD_PATH}/queue/compute?status=failed`;
    await signInThroughTheForm(admin.user, admin.password, failedView);
    await page.getByText(FAILURE).first().waitFor();

    compute.failing = false;
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

    expectOnlyTheFontRefused(violations, offsite);
  }, 60_000);
});
