import { createServer, type AddressInfo, type Socket } from 'node:net';
import { withAttemptTimeout, type PageExtractResult } from '@floodgate/shared/jobs';
import { createMetricsRegistry } from '@floodgate/shared/metrics';
import { listProxyStatuses, parseProxyList } from '@floodgate/shared/proxies';
import { metricValue, startForwardProxy, type ForwardProxy } from '@floodgate/testkit';
import { oncePerFile } from '@floodgate/testkit/fixtures';
import type { Job, JobsOptions } from 'bullmq';
import { describe, expect } from 'vitest';
import { createProxyMetrics } from '../../proxy-pool/proxy-metrics';
import { ProxyPool } from '../../proxy-pool/proxy-pool';
import { startFixtureSite, type FixtureSite } from '../../testing/fixture-site';
import { harnessTest } from '../../testing/harness-test';
import { closeServer, listen } from '../../testing/servers';
import { createPageFetcher } from '../../page-fetch/page-fetcher';

// Whose failure is it when a fetch through a proxy fails? Only the exit's own may
// cool it: a site that is silent, drops the connection or answers 5xx must not
// take its exits out of rotation. Real sites, proxies and Redis on 127.0.0.1.

const FETCH_TIMEOUT_MS = 1_000;

interface Fixtures {
  /** `/slow` accepts and never answers; `/unavailable` answers 503; `/article` is a page. */
  site: FixtureSite;
  proxy: ForwardProxy;
  /** The port of a server that accepts, then drops each connection as soon as bytes arrive: a site resetting after the tunnel is up, or, as a proxy, one closing every request unanswered. */
  droppingPort: number;
  /** page-extract workers on a fresh prefix, through `proxyUrls` in this order; a cooled exit stays cooled for the whole test. Closed after it. */
  startPageExtract(proxyUrls: string[], tunnelHttp: boolean): PageExtract;
}

/** What {@link Fixtures.startPageExtract} gives a test. */
interface PageExtract {
  extract(url: string, opts?: JobsOptions): Promise<Job>;
  requests(hostPort: string, outcome: string): Promise<number>;
  /** How this process and the shared health in Redis see one exit. */
  health(hostPort: string): Promise<{ strikes: number | undefined; state: string; failures: number; lastError: string | null | undefined }>;
}

const it = harnessTest.extend<Fixtures>({
  site: oncePerFile(() => startFixtureSite({ bigBytes: 10_000 }), (site) => site.close()),
  proxy: oncePerFile(() => startForwardProxy(), (proxy) => proxy.close()),
  droppingPort: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const dropping = await listen(
        createServer((socket: Socket) => {
          socket.on('error', () => undefined);
          socket.once('data', () => socket.destroy());
        }),
      );
      await use((dropping.address() as AddressInfo).port);
      await closeServer(dropping);
    },
    { scope: 'file' },
  ],
  startPageExtract: ({ harness, workers, defer }, use) =>
    use((proxyUrls, tunnelHttp) => {
      const prefix = harness.newPrefix();
      const registry = createMetricsRegistry('exit-faults-test');
      const pool = new ProxyPool({
        endpoints: parseProxyList(proxyUrls.join(','), 'test'),
        redis: harness.connection,
        prefix,
        logger: harness.logger,
        cooldownBaseMs: 60_000,
        cooldownMaxMs: 60_000,
        tunnelHttp,
        metrics: createProxyMetrics(registry),
      });
      // Closed in the process's own order, the last deferred first: workers, the page fetcher, then its pool.
      defer(() => pool.close());
      const pageFetcher = createPageFetcher({ policy: { allowPrivateNetworks: true }, maxBytes: 100_000, fetchTimeoutMs: FETCH_TIMEOUT_MS, proxyPool: pool });
      defer(() => pageFetcher.close());
      workers({ prefix, pageFetcher, types: ['page-extract'] });
      return {
        extract: async (url, opts = {}) => harness.settled(await harness.add(prefix, 'page-extract', { url }, { attempts: 1, ...opts })),
        requests: async (hostPort, outcome) => metricValue(await registry.metrics(), 'floodgate_proxy_requests_total', { proxy: hostPort, outcome }) ?? 0,
        health: async (hostPort) => {
          const status = (await listProxyStatuses(harness.connection, prefix)).find((s) => s.proxy === hostPort);
          const strikes = pool.view().find((exit) => exit.hostPort === hostPort)?.health.strikes;
          return { strikes, state: status?.state ?? 'healthy', failures: status?.failures ?? 0, lastError: status?.lastError };
        },
      };
    }),
});

const proxyOf = (job: Job) => (job.returnvalue as PageExtractResult | undefined)?.proxy;

describe("a site's failure through a proxy cools no exit", () => {
  it.for<[string, boolean]>([
    ['absolute-form requests', false],
    ['CONNECT tunnels', true],
  ])('a page that never sends its headers fails its attempt, and the exit serves the next page: %s', async ([_mode, tunnelHttp], { site, proxy, startPageExtract }) => {
    const { extract, requests, health } = startPageExtract([proxy.url], tunnelHttp);
    const silent = await Promise.all([extract(`${site.origin}/slow`), extract(`${site.origin}/slow`)]);
    expect(await health(proxy.hostPort)).toMatchObject({ strikes: 0, state: 'healthy', failures: 0 });
    const next = await extract(`${site.origin}/article`);
    expect(next.returnvalue).toMatchObject({ status: 200, title: 'Flood Gates', proxy: proxy.hostPort });
    expect(await requests(proxy.hostPort, 'timeout')).toBe(2);
    for (const job of silent) expect(job.failedReason).toBe(`fetch_timeout: no complete response within ${FETCH_TIMEOUT_MS} ms (no response headers from ${site.origin}/slow)`);
  });

  it('a site that drops the connection once the tunnel is up (over http, and in its TLS handshake over https), or answers 503, cools no exit', async ({ site, proxy, droppingPort, startPageExtract }) => {
    const { extract, requests, health } = startPageExtract([proxy.url], true);
    const [http, https, unavailable] = await Promise.all([
      extract(`http://127.0.0.1:${droppingPort}/`),
      extract(`https://127.0.0.1:${droppingPort}/`),
      extract(`${site.origin}/unavailable`),
    ]);
    expect(await health(proxy.hostPort)).toMatchObject({ strikes: 0, state: 'healthy', failures: 0 });
    expect(proxyOf(await extract(`${site.origin}/article`))).toBe(proxy.hostPort);
    expect(await requests(proxy.hostPort, 'target_error')).toBe(2);
    expect(http?.failedReason).toBe(`fetch_failed: http://127.0.0.1:${droppingPort}/ failed before its response headers: other side closed`);
    expect(https?.failedReason).toMatch(new RegExp(`^fetch_failed: https://127\\.0\\.0\\.1:${droppingPort}/ failed before its response headers: `));
    expect(unavailable?.failedReason).toBe(`upstream_status: ${site.origin}/unavailable answered 503`);
  });

  it("the job's own timeout, while the page is silent, cools no exit either", async ({ site, proxy, startPageExtract }) => {
    const { extract, health } = startPageExtract([proxy.url], true);
    const job = await extract(`${site.origin}/slow`, withAttemptTimeout({}, FETCH_TIMEOUT_MS / 4));
    expect(job.failedReason).toBe(`job_timeout: attempt exceeded ${FETCH_TIMEOUT_MS / 4} ms`);
    expect(proxyOf(await extract(`${site.origin}/article`))).toBe(proxy.hostPort);
    expect(await health(proxy.hostPort)).toMatchObject({ strikes: 0, state: 'healthy', failures: 0 });
  });
});

describe("the exit's own failures still cool it", () => {
  it('a proxy that refuses connections cools, and the page is served through the next exit', async ({ site, proxy, startPageExtract }) => {
    const dead = await startForwardProxy();
    await dead.stop();
    try {
      const { extract, requests, health } = startPageExtract([dead.url, proxy.url], false);
      expect(proxyOf(await extract(`${site.origin}/article`))).toBe(proxy.hostPort);
      expect(await requests(dead.hostPort, 'proxy_error')).toBe(1);
      expect(await health(dead.hostPort)).toMatchObject({ strikes: 1, state: 'cooling', failures: 1, lastError: expect.stringMatching(/^connect ECONNREFUSED /) });
    } finally {
      await dead.close();
    }
  });

  it('a proxy that closes every CONNECT unanswered cools at once, and the page is served through the next exit', async ({ site, proxy, droppingPort, startPageExtract }) => {
    const closing = `http://127.0.0.1:${droppingPort}`;
    const { extract, requests, health } = startPageExtract([closing, proxy.url], true);
    expect(proxyOf(await extract(`${site.origin}/article`))).toBe(proxy.hostPort);
    expect(await requests(`127.0.0.1:${droppingPort}`, 'proxy_error')).toBe(1);
    expect(await health(`127.0.0.1:${droppingPort}`)).toMatchObject({ strikes: 1, state: 'cooling', lastError: 'other side closed' });
  });
});
