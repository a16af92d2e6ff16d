import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './testing/api-harness';

interface SearchBody {
  jobs: Array<{ id: string; state: string }>;
  scanned: number;
  nextCursor: string | null;
}

/** Jobs in the haystack: enough that a search must page, few enough to add in a second. */
const HAYSTACK = 3_000;

describe('job search (GET /v1/jobs/:type?q=)', () => {
  let api: ApiHarness;
  let needleId: string;
  let pageId: string;
  beforeAll(async () => {
    api = await startApi();
    // No worker runs: every job stays waiting. The needle is the oldest, so newest-first scans reach it last.
    const [needle] = await api.queues.sentiment.first.addBulk([{ name: 'sentiment', data: { text: 'A Rare Needle of joy' } }]);
    needleId = String(needle?.id);
    const hay = Array.from({ length: HAYSTACK }, (_, i) => ({ name: 'sentiment', data: { text: `ordinary hay number ${i}` } }));
    for (let i = 0; i < hay.length; i += 1_000) await api.queues.sentiment.first.addBulk(hay.slice(i, i + 1_000));
    const [page] = await api.queues['page-extract'].first.addBulk([
      { name: 'page-extract', data: { url: 'https://docs.example.com/a?x=1' } },
      { name: 'page-extract', data: { url: 'https://example.org/b' } },
    ]);
    pageId = String(page?.id);
  }, 60_000);
  afterAll(async () => {
    await api?.stop();
  });

  const search = async (type: string, query: Record<string, string>) => {
    const res = await api.request('GET', `/v1/jobs/${type}?${new URLSearchParams(query).toString()}`);
    return { status: res.status, body: (await res.json()) as SearchBody & { error?: { code: string } } };
  };

  it('finds a job by a payload field across thousands of jobs, never reading more than the scan bound per call', async () => {
    const pages: SearchBody[] = [];
    let cursor: string | null = null;
    do {
      const { status, body } = await search('sentiment', { q: 'text:"rare needle"', scan: '1000', ...(cursor ? { cursor } : {}) });
      expect(status).toBe(200);
      expect(body.scanned).toBeLessThanOrEqual(1_000);
      pages.push(body);
      cursor = body.nextCursor;
    } while (cursor !== null && pages.length < 10);
    // 3,001 waiting jobs read 1,000 at a time: the needle turns up on the fourth call, the only match.
    expect(pages.length).toBeGreaterThanOrEqual(4);
    expect(pages.flatMap((page) => page.jobs).map((job) => [job.id, job.state])).toEqual([[needleId, 'waiting']]);
    expect(pages.reduce((sum, page) => sum + page.scanned, 0)).toBe(HAYSTACK + 1);
  });

  it('stops at the limit with a cursor that goes on from there', async () => {
    const first = await search('sentiment', { q: 'text:hay', limit: '5', state: 'waiting' });
    expect(first.body.jobs).toHaveLength(5);
    expect(first.body.scanned).toBe(5);
    const second = await search('sentiment', { q: 'text:hay', limit: '5', state: 'waiting', cursor: first.body.nextCursor ?? '' });
    expect(second.body.jobs).toHaveLength(5);
    expect(new Set([...first.body.jobs, ...second.body.jobs].map((job) => job.id)).size).toBe(10);
  });

  it('finds by id, by URL host (subdomains too), and by state', async () => {
    expect((await search('sentiment', { q: `id:${needleId}` })).body.jobs.map((job) => job.id)).toEqual([needleId]);
    expect((await search('sentiment', { q: `id:${needleId}`, state: 'failed' })).body.jobs).toEqual([]);
    expect((await search('page-extract', { q: 'url.host:example.com' })).body.jobs.map((job) => job.id)).toEqual([pageId]);
    expect((await search('page-extract', { q: 'url.host:ample.com' })).body.jobs).toEqual([]);
    expect((await search('page-extract', { q: 'url:example' })).body.jobs).toHaveLength(2);
  });

  it.each([
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
  ])('refuses %s with a 400 JSON error', async (_name, query, code) => {
    const { status, body } = await search('sentiment', query);
    expect(status).toBe(400);
    expect(body.error?.code).toBe(code);
  });

  it('leaves the plain listing as it was when there is no q', async () => {
    const { status, body } = await search('sentiment', { state: 'waiting', limit: '3' });
    expect(status).toBe(200);
    expect(body.jobs).toHaveLength(3);
    expect(body.nextCursor).toBe('3');
  });
});
