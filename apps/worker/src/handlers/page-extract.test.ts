import { oncePerFile } from '@floodgate/testkit/fixtures';
import type { Job, JobsOptions } from 'bullmq';
import { describe, expect } from 'vitest';
import { startFixtureSite, type FixtureSite } from '../testing/fixture-site';
import { harnessTest } from '../testing/harness-test';
import { createPageFetcher } from '../page-fetch/page-fetcher';

const MAX_BYTES = 10_000;
const FETCH_TIMEOUT_MS = 500;
/** Retries in these tests need not wait the catalog's seconds-long backoff. */
const QUICK_RETRY = { backoff: { type: 'fixed' as const, delay: 10 } };

interface Fixtures {
  site: FixtureSite;
  /** Page-extract workers on the test's prefix, with the given network policy; closed after the test. Returns the prefix. */
  startPageExtract(allowPrivateNetworks: boolean): string;
  /** Runs `path` of the site through page-extract workers that allow private networks, started for this test. */
  extract(path: string, overrides?: JobsOptions): Promise<Job>;
}

const it = harnessTest.extend<Fixtures>({
  site: oncePerFile(() => startFixtureSite({ bigBytes: MAX_BYTES * 2 }), (site) => site.close()),
  startPageExtract: ({ prefix, workers, defer }, use) =>
    use((allowPrivateNetworks) => {
      const pageFetcher = createPageFetcher({ policy: { allowPrivateNetworks }, maxBytes: MAX_BYTES, fetchTimeoutMs: FETCH_TIMEOUT_MS });
      defer(() => pageFetcher.close());
      workers({ pageFetcher, types: ['page-extract'] });
      return prefix;
    }),
  extract: async ({ harness, site, startPageExtract }, use) => {
    const prefix = startPageExtract(true);
    await use(async (path, overrides = {}) => harness.settled(await harness.add(prefix, 'page-extract', { url: `${site.origin}${path}` }, overrides)));
  },
});

describe('page-extract with private networks allowed (fixture site on loopback)', () => {
  it('extracts title, description, excerpt and resolved, de-duplicated links', async ({ site, extract }) => {
    const job = await extract('/article');
    expect(job.failedReason).toBeUndefined();
    expect(job.returnvalue).toEqual({
      finalUrl: `${site.origin}/article`,
      status: 200,
      title: 'Flood Gates',
      description: 'How gates hold water.',
      excerpt: 'Gates Water is held. About About again Team Elsewhere Mail JS',
      links: [`${site.origin}/about`, 'https://example.com/x'],
      proxy: null,
    });
  });

  it('follows a redirect and reports the final URL', async ({ site, extract }) => {
    const job = await extract('/redirect');
    expect(job.returnvalue).toMatchObject({ finalUrl: `${site.origin}/article`, status: 200, title: 'Flood Gates' });
  });

  it('reports a 404 as a result with that status', async ({ extract }) => {
    const job = await extract('/missing');
    expect(job.returnvalue).toMatchObject({ status: 404, title: null, links: [] });
  });

  it('gives up after 5 redirects, without retrying', async ({ extract }) => {
    const job = await extract('/loop');
    expect(job.failedReason).toMatch(/^too_many_redirects:/);
    expect(job.attemptsMade).toBe(1);
  });

  it('fails a page slower than the fetch timeout', async ({ extract }) => {
    const job = await extract('/slow', { attempts: 1 });
    expect(job.failedReason).toMatch(/^fetch_timeout: no complete response within 500 ms/);
  });

  it('fails an oversized page with response_too_large, not retried', async ({ extract }) => {
    const job = await extract('/big');
    expect(job.failedReason).toMatch(/^response_too_large:/);
    expect(job.attemptsMade).toBe(1);
  });

  it('retries a 503 until its attempts are used up', async ({ site, extract }) => {
    const job = await extract('/unavailable', QUICK_RETRY);
    expect(job.failedReason).toMatch(/^upstream_status: .* answered 503/);
    expect(job.attemptsMade).toBe(job.opts.attempts);
    expect(job.attemptsMade).toBe(3);
    expect(site.hits.get('/unavailable')).toBe(3);
  });

  it('refuses content that is neither HTML nor text, not retried', async ({ extract }) => {
    const job = await extract('/json');
    expect(job.failedReason).toMatch(/^unsupported_content_type: application\/json/);
    expect(job.attemptsMade).toBe(1);
  });
});

describe('page-extract with private networks refused (the default)', () => {
  it('refuses the loopback fixture with forbidden_address, before connecting', async ({ harness, site, startPageExtract }) => {
    const prefix = startPageExtract(false);
    const before = site.hits.get('/article') ?? 0;
    const job = await harness.settled(await harness.add(prefix, 'page-extract', { url: `${site.origin}/article` }));
    expect(job.failedReason).toMatch(/^forbidden_address: 127\.0\.0\.1 is loopback/);
    expect(job.attemptsMade).toBe(1);
    expect(site.hits.get('/article') ?? 0).toBe(before);
  });
});
