import { createLogger } from '@floodgate/shared/logger';
import { createRedis } from '@floodgate/shared/redis';
import { SEARCH_MAX_BYTES } from '@floodgate/shared/search';
import { waitFor } from '@floodgate/testkit';
import { Worker } from 'bullmq';
import { describe, expect, test as base } from 'vitest';
import { startApi, type ApiHarness } from '../testing/api-harness';

interface SearchBody {
  jobs: Array<{ id: string; state: string; result?: unknown }>;
  scanned: number;
  bytesRead: number;
  stoppedBy: 'end' | 'limit' | 'scan' | 'bytes' | 'time';
  nextCursor: string | null;
}

/** Jobs in the haystack: enough that a search must page, few enough to add in a second. */
const HAYSTACK = 3_000;

/** An API; `haystack` is one with the jobs to search added (3,000 of them: only the tests that search them ask for it). */
const test = base.extend<{ api: ApiHarness; haystack: { api: ApiHarness; needleId: string; pageId: string } }>({
  // eslint-disable-next-line no-empty-pattern
  api: async ({}, use) => {
    const api = await startApi();
    await use(api);
    await api.stop();
  },
  haystack: async ({ api }, use) => {
    // No worker runs: every job stays waiting. The needle is the oldest, so newest-first scans reach it last.
    const [needle] = await api.queues.sentiment.first.addBulk([{ name: 'sentiment', data: { text: 'A Rare Needle of joy' } }]);
    const hay = Array.from({ length: HAYSTACK }, (_, i) => ({ name: 'sentiment', data: { text: `ordinary hay number ${i}` } }));
    for (let i = 0; i < hay.length; i += 1_000) await api.queues.sentiment.first.addBulk(hay.slice(i, i + 1_000));
    const [page] = await api.queues['page-extract'].first.addBulk([
      { name: 'page-extract', data: { url: 'https://docs.example.com/a?x=1' } },
      { name: 'page-extract', data: { url: 'https://example.org/b' } },
    ]);
    await use({ api, needleId: String(needle?.id), pageId: String(page?.id) });
  },
});

describe('job search (GET /v1/jobs/:type?q=)', () => {
  const search = async (api: ApiHarness, type: string, query: Record<string, string>) => {
    const res = await api.request('GET', `/v1/jobs/${type}?${new URLSearchParams(query).toString()}`);
    return { status: res.status, body: (await res.json()) as SearchBody & { error?: { code: string } } };
  };

  test('finds a job by a payload field across thousands of jobs, never reading more than the scan bound per call', async ({ haystack: { api, needleId } }) => {
    const pages: SearchBody[] = [];
    let cursor: string | null = null;
    do {
      const { status, body } = await search(api, 'sentiment', { q: 'text:"rare needle"', scan: '1000', ...(cursor ? { cursor } : {}) });
      expect(status).toBe(200);
      expect(body.scanned).toBeLessThanOrEqual(1_000);
      pages.push(body);
      cursor = body.nextCursor;
    } while (cursor !== null && pages.length < 10);
    // 3,001 waiting jobs read 1,000 at a time: the needle turns up on the fourth call, the only match.
    expect(pages.length).toBeGreaterThanOrEqual(4);
    expect(pages.slice(0, 3).map((page) => page.stoppedBy)).toEqual(['scan', 'scan', 'scan']);
    expect(pages.at(-1)?.stoppedBy).toBe('end');
    expect(pages.flatMap((page) => page.jobs).map((job) => [job.id, job.state])).toEqual([[needleId, 'waiting']]);
    expect(pages.reduce((sum, page) => sum + page.scanned, 0)).toBe(HAYSTACK + 1);
  });

  test('stops at the limit with a cursor that goes on from there', async ({ haystack: { api } }) => {
    const first = await search(api, 'sentiment', { q: 'text:hay', limit: '5', state: 'waiting' });
    expect(first.body.jobs).toHaveLength(5);
    expect(first.body.scanned).toBe(5);
    expect(first.body.stoppedBy).toBe('limit');
    const second = await search(api, 'sentiment', { q: 'text:hay', limit: '5', state: 'waiting', cursor: first.body.nextCursor ?? '' });
    expect(second.body.jobs).toHaveLength(5);
    expect(new Set([...first.body.jobs, ...second.body.jobs].map((job) => job.id)).size).toBe(10);
  });

  test('finds by id, by URL host (subdomains too), and by state', async ({ haystack: { api, needleId, pageId } }) => {
    expect((await search(api, 'sentiment', { q: `id:${needleId}` })).body.jobs.map((job) => job.id)).toEqual([needleId]);
    expect((await search(api, 'sentiment', { q: `id:${needleId}`, state: 'failed' })).body.jobs).toEqual([]);
    expect((await search(api, 'page-extract', { q: 'url.host:example.com' })).body.jobs.map((job) => job.id)).toEqual([pageId]);
    expect((await search(api, 'page-extract', { q: 'url.host:ample.com' })).body.jobs).toEqual([]);
    expect((await search(api, 'page-extract', { q: 'url:example' })).body.jobs).toHaveLength(2);
  });

  test.for([
    ['a regex bomb', { q: 'text:(a+)+$' }, 'invalid_search'],
    ['a character class', { q: 'text:[a-z]*' }, 'invalid_search'],
    ['a huge q', { q: `text:${'a'.repeat(5_000)}` }, 'invalid_query'],
    ['a long q', { q: `text:${'a'.repeat(300)}` }, 'invalid_search'],
    ['a field the payload lacks', { q: 'password:x' }, 'invalid_search'],
    ['too many terms', { q: 'text:a text:b text:c text:d text:e' }, 'invalid_search'],
    ['no term at all', { q: '   ' }, 'invalid_search'],
    ['a bare word', { q: 'needle' }, 'invalid_search'],
    ['a control character', { q: 'text:a\u0000b' }, 'invalid_search'],
    ['a scan over the bound', { q: 'text:a', scan: '100000' }, 'invalid_query'],
    ['a forged cursor', { q: 'text:a', cursor: '9.-1' }, 'invalid_query'],
    ['an unknown state', { q: 'text:a', state: 'paused-forever' }, 'invalid_query'],
  ] as const)('refuses %s with a 400 JSON error', async ([, query, code], { api }) => {
    const { status, body } = await search(api, 'sentiment', query);
    expect(status).toBe(400);
    expect(body.error?.code).toBe(code);
  });

  test('leaves the plain listing as it was when there is no q', async ({ haystack: { api } }) => {
    const { status, body } = await search(api, 'sentiment', { state: 'waiting', limit: '3' });
    expect(status).toBe(200);
    expect(body.jobs).toHaveLength(3);
    expect(body.nextCursor).toBe('3');
  });
});

/** Bytes in a KiB. */
const KiB = 1_024;
/** A completed job's result, as large as results get. */
const RESULT_BYTES = 256 * KiB;
/** Jobs with results that large: a search that read them would read 5 MiB. */
const RESULTS = 20;
/** A payload large enough that 30 of them pass the byte budget. */
const PAYLOAD_BYTES = 200 * KiB;
const LARGE_PAYLOADS = 30;
const LARGE_PAYLOAD = { text: 'p'.repeat(PAYLOAD_BYTES) };

/**
 * The server's bounds on a search, counted in bytes that really came from
 * Redis: the API's connection goes through a fault proxy that counts them (and
 * can hold a search in flight for the per-caller limit).
 */
const boundedTest = base.extend<{ api: ApiHarness }>({
  // eslint-disable-next-line no-empty-pattern
  api: async ({}, use) => {
    const api = await startApi({ faultProxy: true, dispatchSlots: false });
    // Completed compute jobs with results of 256 KiB each, run by a raw worker straight on Redis.
    await api.queues.compute.first.addBulk(Array.from({ length: RESULTS }, (_, n) => ({ name: 'compute', data: { n, m: 1 } })));
    const connection = createRedis('worker', { url: api.redis.url, logger: createLogger({ name: 'search-test', level: 'silent', pretty: false }) });
    const worker = new Worker('compute', async () => 'r'.repeat(RESULT_BYTES), { connection, prefix: api.prefix });
    try {
      await waitFor(async () => (await api.queues.compute.getJobCounts('completed')).completed === RESULTS, { timeoutMs: 30_000, description: 'the results' });
    } finally {
      await worker.close();
      connection.disconnect();
    }
    // Waiting sentiment jobs with 200 KiB payloads (added as they are stored, past the API's payload checks).
    await api.queues.sentiment.first.addBulk(Array.from({ length: LARGE_PAYLOADS }, () => ({ name: 'sentiment', data: LARGE_PAYLOAD })));
    await use(api);
    // A test that failed while the network was stalled leaves it so: let it go before stopping.
    api.proxy?.resume();
    await api.stop();
  },
});

describe('job search: bounded by bytes, and per caller', () => {
  const search = async (api: ApiHarness, type: string, query: Record<string, string>, key = api.apiKey) => {
    const res = await api.request('GET', `/v1/jobs/${type}?${new URLSearchParams(query).toString()}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, headers: res.headers, body: (await res.json()) as SearchBody & { error?: { code: string; details?: unknown } } };
  };
  /** Bytes Redis sent the API while `run` ran. */
  const fromRedis = async <T>(api: ApiHarness, run: () => Promise<T>): Promise<{ value: T; bytes: number }> => {
    const before = api.proxy!.counters.bytesToClient;
    const value = await run();
    return { value, bytes: api.proxy!.counters.bytesToClient - before };
  };

  boundedTest("reads the payloads it matches on, and a result only for a match it returns", async ({ api }) => {
    const { value, bytes } = await fromRedis(api, () => search(api, 'compute', { q: 'n:3', state: 'completed' }));
    expect(value.status).toBe(200);
    expect(value.body.jobs).toHaveLength(1);
    expect(value.body.jobs[0]?.result).toHaveLength(RESULT_BYTES);
    expect(value.body).toMatchObject({ scanned: RESULTS, stoppedBy: 'end', nextCursor: null });
    // One result read (the match's), not twenty: reading every job in full would be 5 MiB.
    expect(value.body.bytesRead).toBeGreaterThanOrEqual(RESULT_BYTES);
    expect(value.body.bytesRead).toBeLessThan(2 * RESULT_BYTES);
    expect(bytes).toBeLessThan(2 * RESULT_BYTES);
  });

  boundedTest('stops at its byte budget, says so, and goes on from its cursor', async ({ api }) => {
    const pages: SearchBody[] = [];
    let cursor: string | null = null;
    do {
      const { value, bytes } = await fromRedis(api, () => search(api, 'sentiment', { q: 'text:needle', state: 'waiting', scan: '5000', ...(cursor ? { cursor } : {}) }));
      expect(value.status).toBe(200);
      // Within the budget: the payload that would not fit stays in Redis.
      expect(value.body.bytesRead).toBeLessThanOrEqual(SEARCH_MAX_BYTES);
      expect(bytes).toBeLessThan(SEARCH_MAX_BYTES + PAYLOAD_BYTES);
      pages.push(value.body);
      cursor = value.body.nextCursor;
    } while (cursor !== null && pages.length < 10);
    // 30 payloads of 200 KiB (6 MiB) against a 4 MiB budget: two calls, the first cut short by bytes.
    expect(pages.map((page) => page.stoppedBy)).toEqual(['bytes', 'end']);
    expect(pages[0]!.scanned).toBe(Math.floor(SEARCH_MAX_BYTES / JSON.stringify(LARGE_PAYLOAD).length));
    expect(pages.reduce((sum, page) => sum + page.scanned, 0)).toBe(LARGE_PAYLOADS);
  });

  boundedTest('refuses a third search at once from one API key (429 too_many_searches), and no other key', async ({ api }) => {
    const other = api.createKey(['admin']);
    api.proxy!.stall();
    let held: Array<Promise<Awaited<ReturnType<typeof search>>>> = [];
    try {
      // Three at once from one key: two are admitted and held by the silent network, the third is refused at once.
      const three = [0, 1, 2].map(() => search(api, 'sentiment', { q: 'text:needle', state: 'waiting', scan: '100' }));
      const refused = await Promise.race(three);
      expect(refused.status).toBe(429);
      expect(refused.body.error).toMatchObject({ code: 'too_many_searches', details: { running: 2, max: 2 } });
      expect(refused.headers.get('retry-after')).toBe('1');
      held = [...three, search(api, 'sentiment', { q: 'text:needle', state: 'waiting', scan: '100' }, other)];
    } finally {
      api.proxy!.resume();
    }
    // Once the network is back, the two held searches and the other key's answer.
    expect((await Promise.all(held)).map((answer) => answer.status).sort()).toEqual([200, 200, 200, 429]);
  });
});
