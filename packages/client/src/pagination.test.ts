import { describe, expect } from 'vitest';
import { clientTestWith, type ClientFixtures } from './test-support/client-test.test.js';

/** The texts of the delayed sentiment jobs searched, four with a needle in them. */
const HAYSTACK = ['a needle', 'hay', 'needle two', 'more hay', 'needles three', 'hay again', 'the last needle'];

/**
 * Each test's API and client, and the jobs it lists or searches, put there by
 * its client (so they are among its recorded requests): `delayed` is 7 delayed
 * compute jobs (their ids), `haystack` the delayed sentiment jobs of HAYSTACK
 * (their texts). Delayed by ten minutes: they stay where they are put.
 */
const test = clientTestWith().extend<{ delayed: string[]; haystack: string[] }>({
  delayed: async ({ client }, use) => {
    const ids: string[] = [];
    for (let n = 1; n <= 7; n++) ids.push((await client.enqueue('compute', { n, m: 1 }, { delayMs: 600_000 })).id);
    await use(ids);
  },
  haystack: async ({ client }, use) => {
    for (const text of HAYSTACK) await client.enqueue('sentiment', { text }, { delayMs: 600_000 });
    await use(HAYSTACK);
  },
});

/** The requests a test's client made since `from` (an index into `recorded`), as query strings. */
const pagesAsked = (recorded: ClientFixtures['recorded'], from: number) => recorded.exchanges.slice(from).map((exchange) => new URL(exchange.url).search);

/** Listing and search, page after page with `for await`, against the real API (no worker: jobs stay where they are put). */
describe('FloodgateClient pagination', () => {
  test('awaits one page, with the cursor of the next', async ({ client, delayed }) => {
    const page = await client.listJobs('compute', { state: 'delayed', limit: 3 });
    expect(page.jobs).toHaveLength(3);
    expect(page.nextCursor).toEqual(expect.any(String));
    const next = await client.listJobs('compute', { state: 'delayed', limit: 3, cursor: page.nextCursor ?? undefined });
    const ids = [...page.jobs, ...next.jobs].map((job) => job.id);
    expect(new Set(ids).size).toBe(6);
    for (const id of ids) expect(delayed).toContain(id);
  });

  test('iterates every job of every page with for await, fetching each page as it is reached', async ({ client, recorded, delayed }) => {
    const from = recorded.exchanges.length;
    const seen: string[] = [];
    for await (const job of client.listJobs('compute', { state: 'delayed', limit: 3 })) {
      expect(job.type).toBe('compute');
      seen.push(job.id);
    }
    expect([...seen].sort()).toEqual([...delayed].sort());
    const asked = pagesAsked(recorded, from);
    expect(asked).toHaveLength(3);
    expect(asked[0]).toBe('?state=delayed&limit=3');
    expect(asked.slice(1).every((search) => /cursor=/.test(search))).toBe(true);
  });

  test('stops fetching when the loop is left', async ({ client, recorded, delayed: _delayed }) => {
    const from = recorded.exchanges.length;
    let taken = 0;
    for await (const _job of client.listJobs('compute', { state: 'delayed', limit: 3 })) {
      if (++taken === 2) break;
    }
    expect(pagesAsked(recorded, from)).toHaveLength(1);
  });

  test('searches page after page, each with what it read and why it stopped, until the end', async ({ api, client, haystack }) => {
    const pages = [];
    for await (const page of client.searchJobs('sentiment', 'text:needle', { limit: 2, scan: 3 }).pages()) pages.push(page);
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages.slice(0, -1)) {
      expect(page.nextCursor).toEqual(expect.any(String));
      expect(['limit', 'scan']).toContain(page.stoppedBy);
    }
    expect(pages.at(-1)).toMatchObject({ stoppedBy: 'end', nextCursor: null });
    expect(pages.reduce((sum, page) => sum + page.scanned, 0)).toBe(haystack.length);
    expect(pages.reduce((sum, page) => sum + page.bytesRead, 0)).toBeGreaterThan(0);

    const texts: string[] = [];
    for await (const job of client.searchJobs('sentiment', 'text:needle', { limit: 2, scan: 3 })) {
      texts.push(((await api.queues.sentiment.getJob(job.id))?.data as { text: string }).text);
    }
    expect(texts.sort()).toEqual(['a needle', 'needle two', 'needles three', 'the last needle']);
  });
});
