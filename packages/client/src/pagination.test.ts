import { startApi, type ApiHarness } from '@floodgate/api/testing';
import type { catalog } from '@floodgate/shared/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FloodgateClient, type JobMapOf } from './index.js';
import { recordingFetch } from './test-support/recording-fetch.test.js';

type FloodgateJobs = JobMapOf<typeof catalog>;

/** Listing and search, page after page with `for await`, against the real API (no worker: jobs stay where they are put). */
describe('FloodgateClient pagination', { timeout: 20_000 }, () => {
  let api: ApiHarness;
  const recorded = recordingFetch();
  let client: FloodgateClient<FloodgateJobs>;
  /** The delayed compute jobs' ids. */
  let delayed: string[];
  beforeAll(async () => {
    api = await startApi();
    client = new FloodgateClient<FloodgateJobs>({ baseUrl: api.url, apiKey: api.apiKey, fetch: recorded.fetch });
    delayed = [];
    for (let n = 1; n <= 7; n++) delayed.push((await client.enqueue('compute', { n, m: 1 }, { delayMs: 600_000 })).id);
    for (const text of ['a needle', 'hay', 'needle two', 'more hay', 'needles three', 'hay again', 'the last needle']) {
      await client.enqueue('sentiment', { text }, { delayMs: 600_000 });
    }
  });
  afterAll(async () => {
    await api?.stop();
  });

  /** The GET requests made since `from`, as paths. */
  const pagesAsked = (from: number) => recorded.exchanges.slice(from).map((exchange) => new URL(exchange.url).search);

  it('awaits one page, with the cursor of the next', async () => {
    const page = await client.listJobs('compute', { state: 'delayed', limit: 3 });
    expect(page.jobs).toHaveLength(3);
    expect(page.nextCursor).toEqual(expect.any(String));
    const next = await client.listJobs('compute', { state: 'delayed', limit: 3, cursor: page.nextCursor ?? undefined });
    const ids = [...page.jobs, ...next.jobs].map((job) => job.id);
    expect(new Set(ids).size).toBe(6);
    for (const id of ids) expect(delayed).toContain(id);
  });

  it('iterates every job of every page with for await, fetching each page as it is reached', async () => {
    const from = recorded.exchanges.length;
    const seen: string[] = [];
    for await (const job of client.listJobs('compute', { state: 'delayed', limit: 3 })) {
      expect(job.type).toBe('compute');
      seen.push(job.id);
    }
    expect([...seen].sort()).toEqual([...delayed].sort());
    const asked = pagesAsked(from);
    expect(asked).toHaveLength(3);
    expect(asked[0]).toBe('?state=delayed&limit=3');
    expect(asked.slice(1).every((search) => /cursor=/.test(search))).toBe(true);
  });

  it('stops fetching when the loop is left', async () => {
    const from = recorded.exchanges.length;
    let taken = 0;
    for await (const _job of client.listJobs('compute', { state: 'delayed', limit: 3 })) {
      if (++taken === 2) break;
    }
    expect(pagesAsked(from)).toHaveLength(1);
  });

  it('searches page after page, each with what it read and why it stopped, until the end', async () => {
    const pages = [];
    for await (const page of client.searchJobs('sentiment', 'text:needle', { limit: 2, scan: 3 }).pages()) pages.push(page);
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages.slice(0, -1)) {
      expect(page.nextCursor).toEqual(expect.any(String));
      expect(['limit', 'scan']).toContain(page.stoppedBy);
    }
    expect(pages.at(-1)).toMatchObject({ stoppedBy: 'end', nextCursor: null });
    expect(pages.reduce((sum, page) => sum + page.scanned, 0)).toBe(7);
    expect(pages.reduce((sum, page) => sum + page.bytesRead, 0)).toBeGreaterThan(0);

    const texts: string[] = [];
    for await (const job of client.searchJobs('sentiment', 'text:needle', { limit: 2, scan: 3 })) {
      texts.push(((await api.queues.sentiment.getJob(job.id))?.data as { text: string }).text);
    }
    expect(texts.sort()).toEqual(['a needle', 'needle two', 'needles three', 'the last needle']);
  });
});
