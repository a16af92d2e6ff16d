import { defineJob, jobOptionsFor, type JobDefinition } from '@floodgate/shared/jobs';
import { parseProxyList } from '@floodgate/shared/proxies';
import { startForwardProxy, type ForwardProxy } from '@floodgate/testkit';
import { oncePerFile } from '@floodgate/testkit/fixtures';
import { Queue, type Job, type Worker } from 'bullmq';
import { describe, expect } from 'vitest';
import { z } from 'zod';
import { ProxyPool } from '../proxy-pool/proxy-pool';
import type { JobContext, JobHandler } from '../running/define-handler';
import { handle } from '../start-worker';
import { startFixtureSite, type FixtureSite } from '../testing/fixture-site';
import { harnessTest } from '../testing/harness-test';
import { settled } from '../testing/worker-harness';
import { createJobWorker } from '../workers/start-workers';
import { createPageFetcher, type PageFetcher } from './page-fetcher';

// `fetchesPages` is an option of any job definition, not page-extract's by name: an app's
// own type gets ctx.fetchPage, through the worker's proxy pool; a type without it gets a clear error.

const Payload = z.strictObject({ url: z.string() });
const Result = z.object({ finalUrl: z.string(), status: z.number(), kind: z.string().nullable(), titled: z.boolean(), proxy: z.string().nullable() });

/** What both types' handlers do: fetch the payload's URL, say what came back. */
const fetchTitle = async ({ url }: z.output<typeof Payload>, ctx: JobContext) => {
  const page = await ctx.fetchPage(url);
  return { finalUrl: page.finalUrl, status: page.status, kind: page.kind, titled: /<title>\s*Flood\s+Gates\s*<\/title>/.test(page.body), proxy: page.proxy };
};

const fetching = defineJob({ type: 'title-check', description: 'test only', payload: Payload, result: Result, attempts: 1, urlFields: ['url'], fetchesPages: true });
const notFetching = defineJob({ type: 'no-fetch', description: 'test only', payload: Payload, result: Result, attempts: 1 });

interface Fixtures {
  site: FixtureSite;
  proxy: ForwardProxy;
  /** This test's page fetcher, through a proxy pool of the file's one proxy; both closed after the test. */
  pageFetcher: PageFetcher;
  /** Runs one job of `definition` through a worker of its own (with the page fetcher), and returns it settled. */
  runOne(definition: JobDefinition, handler: JobHandler, url: string): Promise<Job>;
}

const it = harnessTest.extend<Fixtures>({
  site: oncePerFile(() => startFixtureSite({ bigBytes: 10_000 }), (site) => site.close()),
  proxy: oncePerFile(() => startForwardProxy(), (proxy) => proxy.close()),
  pageFetcher: async ({ harness, proxy, defer }, use) => {
    const pool = new ProxyPool({ endpoints: parseProxyList(proxy.url, 'test'), redis: harness.connection, prefix: harness.newPrefix(), logger: harness.logger });
    defer(() => pool.close());
    const pageFetcher = createPageFetcher({ policy: { allowPrivateNetworks: true }, maxBytes: 100_000, fetchTimeoutMs: 2_000, proxyPool: pool });
    defer(() => pageFetcher.close());
    await use(pageFetcher);
  },
  runOne: ({ harness, pageFetcher, defer }, use) =>
    use(async (definition, handler, url) => {
      const prefix = harness.newPrefix();
      const queue = new Queue(definition.type, { connection: harness.connection, prefix });
      defer(() => queue.close());
      const worker: Worker = createJobWorker({ definition, handler, pageFetcher, connection: harness.connection, prefix, logger: harness.logger, metrics: harness.metrics });
      defer(() => worker.close(true));
      return settled(await queue.add(definition.type, { url }, jobOptionsFor(definition)), queue);
    }),
});

describe('ctx.fetchPage follows the definition option fetchesPages', () => {
  it("gives a type of the app's own the page, fetched through the worker's proxy pool", async ({ site, proxy, runOne }) => {
    const before = { forwarded: proxy.forwarded, hits: site.hits.get('/article') ?? 0 };
    const job = await runOne(fetching as JobDefinition, handle(fetching, fetchTitle) as JobHandler, `${site.origin}/article`);
    expect(job.failedReason).toBeUndefined();
    expect(job.returnvalue).toEqual({ finalUrl: `${site.origin}/article`, status: 200, kind: 'html', titled: true, proxy: proxy.hostPort });
    expect(proxy.forwarded).toBe(before.forwarded + 1);
    expect(site.hits.get('/article')).toBe(before.hits + 1);
  });

  it('refuses a type without it, naming the type and the option, and fetches nothing', async ({ site, proxy, runOne }) => {
    const before = { forwarded: proxy.forwarded, tunnels: proxy.tunnels, hits: site.hits.get('/article') ?? 0 };
    const job = await runOne(notFetching as JobDefinition, handle(notFetching, fetchTitle) as JobHandler, `${site.origin}/article`);
    expect(job.failedReason).toBe('ctx.fetchPage: job type "no-fetch" does not fetch pages: set fetchesPages: true in its job definition (defineJob)');
    expect([proxy.forwarded, proxy.tunnels, site.hits.get('/article') ?? 0]).toEqual([before.forwarded, before.tunnels, before.hits]);
  });
});
