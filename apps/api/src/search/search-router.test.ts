import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@floodgate/shared/logger';
import { createMetricsRegistry } from '@floodgate/shared/metrics';
import { parseSearchQuery, searchJobs } from '@floodgate/shared/search';
import { waitFor } from '@floodgate/testkit';
import express from 'express';
import type { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import type { Principal } from '../auth/authenticator';
import { errorHandler } from '../http/error-handler';
import { createHttpMetrics } from '../metrics/http-metrics';
import type { JobQueues } from '../redis/queues';
import { connectionFor, queuesOn, redisConnectionsTest } from '../testing/redis-connections-test';
import { createCallerSlots, type CallerSlots } from './caller-slots';
import { mountRoutes } from '../routes/mount-routes';
import { createJobSearch } from './search-router';

/** Jobs to search: 20 pages, so a scan that goes on is told from one that stopped by what Redis ran. */
const HAYSTACK = 2_000;
/** The API key every request here comes from (as requireAuth would have set it). */
const principal: Principal = { id: 'searcher', name: 'searcher', scopes: ['admin'], weight: 1 };
const CALLER = `key:${principal.id}`;

/** How many times Redis ran `command` so far (INFO commandstats). */
async function calls(redis: Redis, command: string): Promise<number> {
  const stats = await redis.info('commandstats');
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
}

const logger = createLogger({ name: 'search-test', level: 'silent', pretty: false });

/** The search route alone, served for one test. */
interface SearchRoute {
  /** The route's bound on running searches, per caller. */
  slots: CallerSlots;
  /** A search of the haystack for a needle it does not hold, as a URL. */
  url: string;
  /** Responses closed so far: when the answer is sent or the client is gone. */
  responsesClosed(): number;
}

/**
 * The haystack is added once for the file (no test changes it); each test
 * reads it through queues on a connection of its own that goes through a
 * fault proxy of its own: a stalled network holds a search in its first read
 * for as long as the test needs, so what the search does once its answer is
 * gone can be counted.
 */
const test = redisConnectionsTest.extend<{ haystack: string; queues: JobQueues; route: SearchRoute; scripts: () => Promise<number> }>({
  haystack: [
    async ({ redis }, use) => {
      const prefix = `{fg-search-${randomUUID()}}`;
      const hay = Array.from({ length: HAYSTACK }, (_, i) => ({ name: 'sentiment', data: { text: `ordinary hay number ${i}` } }));
      await connectionFor(redis.url, (connection) =>
        queuesOn(connection, prefix, async (queues) => {
          for (let i = 0; i < hay.length; i += 1_000) await queues.sentiment.first.addBulk(hay.slice(i, i + 1_000));
        }),
      );
      await use(prefix);
    },
    { scope: 'file' },
  ],
  queues: ({ proxied, haystack }, use) => queuesOn(proxied, haystack, use),
  route: async ({ queues, proxied }, use) => {
    const slots = createCallerSlots();
    let responsesClosed = 0;
    const app = express();
    app.use((_req, res, next) => {
      res.locals.principal = principal;
      // Emitted when the answer is sent or the client is gone, to the router's listener as well.
      res.once('close', () => responsesClosed++);
      next();
    });
    // A time budget far off: only the answer going away may stop these scans early.
    const search = createJobSearch({ queues, redis: proxied, searchBounds: { slots, deadlineMs: 300, timeBudgetMs: 600_000 } });
    app.use(mountRoutes({ listJobs: ({ req, res, type }) => search(req, res, type) }));
    app.use(errorHandler(logger, createHttpMetrics(createMetricsRegistry('search-test'))));
    const http: Server = await new Promise((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/v1/jobs/sentiment?${new URLSearchParams({ q: 'text:needle', scan: '5000' }).toString()}`;
    await use({ slots, url, responsesClosed: () => responsesClosed });
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  },
  /** Scripts Redis ran: each page of a search is two (its range read and its payload read). */
  scripts: ({ direct }, use) => use(() => calls(direct, 'evalsha')),
});

describe('a search bounded in time, and stopped when its answer is gone', () => {
  test('reads the whole haystack when the answer is wanted (the baseline the others are counted against)', async ({ route: { url }, scripts }) => {
    const before = await scripts();
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ jobs: [], scanned: HAYSTACK, stoppedBy: 'end', nextCursor: null });
    expect((await scripts()) - before).toBeGreaterThanOrEqual(2 * (HAYSTACK / 100));
  });

  test('answers with what it found once its time is spent: one page at least, and a cursor', async ({ queues }) => {
    const terms = parseSearchQuery('sentiment', 'text:needle');
    const found = await searchJobs(queues.sentiment, { terms, limit: 20, scan: 5_000, timeBudgetMs: 0 });
    expect(found).toMatchObject({ scanned: 100, stoppedBy: 'time', nextCursor: '1.100' });
    const next = await searchJobs(queues.sentiment, { terms, limit: 20, scan: 5_000, timeBudgetMs: 0, cursor: found.nextCursor! });
    expect(next).toMatchObject({ scanned: 100, stoppedBy: 'time', nextCursor: '1.200' });
  });

  test('reads nothing once its signal has fired', async ({ queues, scripts }) => {
    const before = await scripts();
    const found = await searchJobs(queues.sentiment, { terms: parseSearchQuery('sentiment', 'text:needle'), limit: 20, scan: 5_000, signal: AbortSignal.abort() });
    expect(found).toMatchObject({ scanned: 0, stoppedBy: 'aborted' });
    expect((await scripts()) - before).toBe(0);
  });

  test('stops when the client hangs up, and holds its slot until it has', async ({ route: { url, slots, responsesClosed }, proxy, scripts }) => {
    const before = await scripts();
    const hangUp = new AbortController();
    const closed = responsesClosed();
    proxy.stall();
    try {
      const answer = fetch(url, { signal: hangUp.signal }).catch((err: unknown) => err);
      await waitFor(() => slots.running(CALLER) === 1, { description: 'the search to be running' });
      hangUp.abort();
      await answer;
      await waitFor(() => responsesClosed() === closed + 1, { description: 'the server to see the hang-up' });
      // Still reading (its first round trip is held): the slot is not given back yet.
      expect(slots.running(CALLER)).toBe(1);
    } finally {
      proxy.resume();
    }
    await waitFor(() => slots.running(CALLER) === 0, { description: 'the scan to stop' });
    // The round trip held by the network went through when it came back; no page after it was read.
    expect((await scripts()) - before).toBeLessThanOrEqual(2);
  });

  test('stops when its deadline answers 503', async ({ route: { url, slots }, proxy, scripts }) => {
    const before = await scripts();
    proxy.stall();
    try {
      const res = await fetch(url);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('redis_timeout');
      expect(slots.running(CALLER)).toBe(1);
    } finally {
      proxy.resume();
    }
    await waitFor(() => slots.running(CALLER) === 0, { description: 'the scan to stop' });
    expect((await scripts()) - before).toBeLessThanOrEqual(2);
  });
});
