import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import type { PageExtractResult } from '@floodgate/shared/jobs';
import type { Logger } from '@floodgate/shared/logger';
import { createMetricsRegistry } from '@floodgate/shared/metrics';
import { listProxyStatuses, parseProxyList, type ProxyEndpoint } from '@floodgate/shared/proxies';
import { metricValue, startForwardProxy, waitFor, type ForwardProxy } from '@floodgate/testkit';
import { oncePerFile } from '@floodgate/testkit/fixtures';
import type { Job, JobsOptions } from 'bullmq';
import type { Registry } from 'prom-client';
import { describe, expect } from 'vitest';
import { createProxyMetrics } from '../../proxy-pool/proxy-metrics';
import { ProxyPool, type ProxyPoolOptions } from '../../proxy-pool/proxy-pool';
import { startFixtureSite, type FixtureSite } from '../../testing/fixture-site';
import { harnessTest } from '../../testing/harness-test';
import { closeServer, listen } from '../../testing/servers';
import { createPageFetcher } from '../../page-fetch/page-fetcher';
import type { TargetLookup } from '../../page-fetch/target-guard';

/** Every proxy here wants these; none of it may ever show up in a log, a job or Redis. */
const USER = 'fg-proxy-user';
const PASSWORD = 'pw-S3CRET-7731';
const WRONG_PASSWORD = 'pw-WRONG-5519';
const SECRETS = [PASSWORD, WRONG_PASSWORD, Buffer.from(`${USER}:${PASSWORD}`).toString('base64'), Buffer.from(`${USER}:${WRONG_PASSWORD}`).toString('base64')];
const QUICK_RETRY: JobsOptions = { backoff: { type: 'fixed', delay: 10 } };

/** Every log line of every worker and pool in this file, formatted with util.inspect (errors, causes and all), and every job it settled. */
interface Journal {
  lines: string[];
  jobs: Job[];
  logger: Logger;
}

interface Setup {
  prefix: string;
  pool: ProxyPool;
  registry: Registry;
  extract(path: string, options?: { sticky?: string; url?: string; opts?: JobsOptions }): Promise<Job>;
  /** `floodgate_proxy_requests_total` of one exit and outcome. */
  requests(hostPort: string, outcome: string): Promise<number>;
}

interface Fixtures {
  site: FixtureSite;
  /** Answers every request 429: what one proxy's traffic is routed to, to play a site that blocks that exit. */
  blockingSite: Server;
  /** A tarpit: sends its headers at once, then a byte of body now and then, never the end. */
  tarpitSite: Server;
  /** Three proxies of this test's own (tests stop and restart them), all wanting the credentials. */
  proxies: ForwardProxy[];
  /** What this file logged and settled, whichever tests ran: the credentials test searches it all. */
  journal: Journal;
  /** page-extract workers on a fresh prefix, fetching through `endpoints`; closed after the test. */
  startPageExtract(
    endpoints: ProxyEndpoint[],
    options?: { pool?: Partial<ProxyPoolOptions>; concurrency?: number; allowPrivateNetworks?: boolean; lookup?: TargetLookup },
  ): Setup;
}

const it = harnessTest.extend<Fixtures>({
  site: oncePerFile(() => startFixtureSite({ bigBytes: 10_000 }), (site) => site.close()),
  blockingSite: oncePerFile(() => listen(createServer((_req, res) => res.writeHead(429, { 'content-type': 'text/html' }).end('slow down'))), closeServer),
  tarpitSite: oncePerFile(startTarpit, closeServer),
  proxies: async ({ defer }, use) => {
    const proxies = await Promise.all([0, 1, 2].map(() => startForwardProxy({ auth: { username: USER, password: PASSWORD } })));
    // Deferred before the test runs, so they close after the workers that use them.
    defer(() => Promise.all(proxies.map((proxy) => proxy.close())));
    await use(proxies);
  },
  journal: oncePerFile(
    async () => {
      const lines: string[] = [];
      return { lines, jobs: [], logger: capturingLogger(lines) };
    },
    () => undefined,
  ),
  startPageExtract: ({ harness, site, journal, workers, defer }, use) =>
    use((endpoints, options = {}) => {
      const prefix = harness.newPrefix();
      const { logger } = journal;
      const registry = createMetricsRegistry('proxy-test');
      const pool = new ProxyPool({
        endpoints,
        redis: harness.connection,
        prefix,
        logger,
        cooldownBaseMs: 300,
        cooldownMaxMs: 1_000,
        metrics: createProxyMetrics(registry),
        ...options.pool,
      });
      // Closed in the process's own order, the last deferred first: workers, the page fetcher, then its pool.
      defer(() => pool.close());
      const pageFetcher = createPageFetcher({
        policy: { allowPrivateNetworks: options.allowPrivateNetworks ?? true },
        maxBytes: 100_000,
        fetchTimeoutMs: 2_000,
        proxyPool: pool,
        lookup: options.lookup,
      });
      defer(() => pageFetcher.close());
      workers({
        prefix,
        pageFetcher,
        logger,
        types: ['page-extract'],
        ...(options.concurrency
          ? { tuning: { lockDurationMs: 10_000, stalledIntervalMs: 5_000, maxStalledCount: 1, concurrency: { 'page-extract': options.concurrency } } }
          : {}),
      });
      return {
        prefix,
        pool,
        registry,
        extract: async (path, extra = {}) => {
          const payload = { url: extra.url ?? `${site.origin}${path}`, ...(extra.sticky ? { sticky: extra.sticky } : {}) };
          const job = await harness.settled(await harness.add(prefix, 'page-extract', payload, { ...QUICK_RETRY, ...extra.opts }));
          journal.jobs.push(job);
          return job;
        },
        requests: async (hostPort, outcome) => metricValue(await registry.metrics(), 'floodgate_proxy_requests_total', { proxy: hostPort, outcome }) ?? 0,
      };
    }),
});

const endpointsOf = (list: ForwardProxy[]) => parseProxyList(list.map((proxy) => proxy.url).join(','), 'test');
const exitOf = (job: Job) => (job.returnvalue as PageExtractResult | undefined)?.proxy;
const countExits = (jobs: Job[]) => jobs.reduce((counts, job) => counts.set(exitOf(job) ?? 'none', (counts.get(exitOf(job) ?? 'none') ?? 0) + 1), new Map<string, number>());

describe('page-extract through a proxy pool', () => {
  it.for<[string, boolean]>([
    ['absolute-form requests (http:// pages, the default)', false],
    ['CONNECT tunnels', true],
  ])('spreads requests across all three exits under round-robin, and says which exit served each page: %s', async ([_mode, tunnelHttp], { site, proxies, startPageExtract }) => {
    const before = proxies.map((proxy) => [proxy.forwarded, proxy.tunnels]);
    const { extract } = startPageExtract(endpointsOf(proxies), { pool: { tunnelHttp } });
    const jobs = await Promise.all(Array.from({ length: 30 }, () => extract('/article')));
    proxies.forEach((proxy, i) => {
      const [forwarded = 0, tunnels = 0] = before[i] ?? [];
      expect(tunnelHttp ? proxy.tunnels > tunnels : proxy.forwarded > forwarded).toBe(true);
      expect(tunnelHttp ? proxy.forwarded : proxy.tunnels).toBe(tunnelHttp ? forwarded : tunnels);
    });
    expect(jobs.every((job) => job.failedReason === undefined)).toBe(true);
    expect(jobs[0]?.returnvalue).toMatchObject({ finalUrl: `${site.origin}/article`, status: 200, title: 'Flood Gates' });
    const counts = countExits(jobs);
    expect([...counts.keys()].sort()).toEqual(proxies.map((proxy) => proxy.hostPort).sort());
    for (const count of counts.values()) expect(count).toBeGreaterThanOrEqual(8);
  });

  it('keeps a sticky key on one exit', async ({ proxies, startPageExtract }) => {
    const { extract } = startPageExtract(endpointsOf(proxies));
    const stuck = await Promise.all(Array.from({ length: 12 }, () => extract('/article', { sticky: 'shop.example' })));
    expect(countExits(stuck).size).toBe(1);
    const spread = await Promise.all(Array.from({ length: 12 }, (_, i) => extract('/article', { sticky: `site-${i}` })));
    expect(countExits(spread).size).toBeGreaterThan(1);
  });

  it('cools a killed exit within a few requests, serves its jobs through the others, and uses it again once it is back', async ({ proxies, startPageExtract }) => {
    const concurrency = 4;
    // Tunnels: long-lived sockets through the proxy, all cut when it dies.
    const { extract, requests, pool } = startPageExtract(endpointsOf(proxies), { concurrency, pool: { tunnelHttp: true } });
    const victim = proxies[1]!;
    const before = await Promise.all(Array.from({ length: 12 }, () => extract('/article')));
    expect(countExits(before).get(victim.hostPort)).toBeGreaterThan(0);

    await victim.stop();
    const during = await Promise.all(Array.from({ length: 24 }, () => extract('/article')));
    for (const job of during) {
      expect(job.failedReason).toBeUndefined();
      expect(job.attemptsMade).toBeLessThanOrEqual(1);
      expect(exitOf(job)).not.toBe(victim.hostPort);
    }
    // Only the requests already heading its way when it died: at most one per concurrent job.
    const failures = await requests(victim.hostPort, 'proxy_error');
    expect(failures).toBeGreaterThanOrEqual(1);
    expect(failures).toBeLessThanOrEqual(concurrency);
    expect(pool.view().find((exit) => exit.hostPort === victim.hostPort)?.health.strikes).toBeGreaterThanOrEqual(1);

    await victim.start();
    await waitFor(async () => exitOf(await extract('/article')) === victim.hostPort, { timeoutMs: 5_000, description: 'the restarted exit to serve a page' });
    expect(await requests(victim.hostPort, 'ok')).toBeGreaterThan(countExits(before).get(victim.hostPort) ?? 0);
  });

  it('rests an exit that answers 407, and says so in the shared health', async ({ harness, proxies, startPageExtract }) => {
    const [good] = endpointsOf([proxies[0]!]);
    const [refusing] = parseProxyList(proxies[2]!.url.replace(encodeURIComponent(PASSWORD), WRONG_PASSWORD), 'test');
    const { extract, requests, prefix } = startPageExtract([refusing!, good!], { concurrency: 2, pool: { cooldownBaseMs: 60_000, cooldownMaxMs: 60_000 } });
    const jobs = await Promise.all(Array.from({ length: 8 }, () => extract('/article')));
    for (const job of jobs) expect(exitOf(job)).toBe(good!.hostPort);
    expect(await requests(refusing!.hostPort, 'blocked')).toBeLessThanOrEqual(2);
    const [status] = (await listProxyStatuses(harness.connection, prefix)).filter((s) => s.proxy === refusing!.hostPort);
    expect(status).toMatchObject({ state: 'cooling', lastError: 'proxy answered 407', url: `http://***:***@${refusing!.hostPort}` });
  });

  it('rests an exit whose target answers 429, and tries the page through another exit', async ({ harness, blockingSite, proxies, startPageExtract }) => {
    const blockedPort = (blockingSite.address() as AddressInfo).port;
    const blocked = await startForwardProxy({ route: () => `127.0.0.1:${blockedPort}` });
    try {
      const [victim, good] = parseProxyList(`${blocked.url},${proxies[0]!.url}`, 'test');
      const { extract, requests, prefix } = startPageExtract([victim!, good!], { concurrency: 1, pool: { cooldownBaseMs: 60_000, cooldownMaxMs: 60_000 } });
      const jobs = await Promise.all(Array.from({ length: 6 }, () => extract('/article')));
      for (const job of jobs) expect(job.returnvalue).toMatchObject({ status: 200, proxy: good!.hostPort });
      expect(await requests(victim!.hostPort, 'blocked')).toBe(1);
      const statuses = await listProxyStatuses(harness.connection, prefix);
      expect(statuses.find((s) => s.proxy === victim!.hostPort)).toMatchObject({ state: 'cooling', lastError: 'target answered 429' });
      expect(statuses.find((s) => s.proxy === good!.hostPort)).toMatchObject({ state: 'healthy', successes: 6 });
    } finally {
      await blocked.close();
    }
  });

  it('fails the attempts of a page that drips its body past the timeout, and cools none of the three exits that delivered it', async ({ harness, tarpitSite, proxies, startPageExtract }) => {
    const { extract, requests, prefix, pool } = startPageExtract(endpointsOf(proxies), { pool: { cooldownBaseMs: 60_000, cooldownMaxMs: 60_000 } });
    const url = `http://127.0.0.1:${(tarpitSite.address() as AddressInfo).port}/tarpit`;
    const jobs = await Promise.all(Array.from({ length: 6 }, () => extract('', { url, opts: { attempts: 1 } })));
    for (const job of jobs) expect(job.failedReason).toMatch(/^fetch_timeout: no complete response within 2000 ms \(.*was still sending its body\)$/);
    for (const proxy of proxies) {
      // Each exit carried its share (round-robin), and delivered the headers every time.
      expect(await requests(proxy.hostPort, 'ok')).toBeGreaterThan(0);
      expect(await requests(proxy.hostPort, 'timeout')).toBe(0);
    }
    expect(pool.view().map((exit) => exit.health.strikes)).toEqual([0, 0, 0]);
    expect((await listProxyStatuses(harness.connection, prefix)).map((s) => [s.state, s.failures])).toEqual([
      ['healthy', 0],
      ['healthy', 0],
      ['healthy', 0],
    ]);
  });

  it('with every exit down, fails attempts with no_healthy_proxy, and completes once they return, without a tight loop', async ({ harness, proxies, startPageExtract }) => {
    const backoffMs = 100;
    const { extract, prefix } = startPageExtract(endpointsOf(proxies), { concurrency: 4, pool: { cooldownBaseMs: 800, cooldownMaxMs: 800 } });
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    try {
      // Two jobs meet the three dead exits (each tries two): all three cool down.
      const warmUp = [await extract('/article', { opts: { attempts: 1 } }), await extract('/article', { opts: { attempts: 1 } })];
      for (const job of warmUp) expect(job.failedReason).toMatch(/^fetch_failed: through the proxy: connect ECONNREFUSED/);
      const refused = await extract('/article', { opts: { attempts: 1 } });
      expect(refused.failedReason).toMatch(/^no_healthy_proxy: all 3 proxies are cooling down \(127\.0\.0\.1:\d+, .*\); the first is back in \d+\.\d s$/);
      expect((await listProxyStatuses(harness.connection, prefix)).map((s) => s.state)).toEqual(['cooling', 'cooling', 'cooling']);
    } finally {
      await Promise.all(proxies.map((proxy) => proxy.start()));
    }
    const addedAt = Date.now();
    const jobs = await Promise.all(Array.from({ length: 3 }, () => extract('/article', { opts: { attempts: 50, backoff: { type: 'fixed', delay: backoffMs } } })));
    for (const job of jobs) {
      expect(job.failedReason).toMatch(/^no_healthy_proxy:/); // the last failed attempt's reason stays on the job
      expect(job.finishedOn).toBeDefined();
      expect(exitOf(job)).toMatch(/^127\.0\.0\.1:\d+$/);
      // Each attempt waited its backoff: no more attempts than the time allowed, so no spinning.
      const elapsedMs = (job.finishedOn ?? 0) - addedAt;
      expect(job.attemptsMade).toBeGreaterThanOrEqual(2);
      expect(job.attemptsMade).toBeLessThanOrEqual(Math.ceil(elapsedMs / backoffMs) + 1);
    }
  });

  it('applies SSRF rules to the target through a proxy, never to the proxy itself', async ({ site, startPageExtract }) => {
    const sitePort = new URL(site.origin).port;
    const named = await startForwardProxy({ route: (authority) => authority.replace(/^[a-z.]+\.test:/, '127.0.0.1:') });
    try {
      const lookup: TargetLookup = async (host) => [{ address: host === 'shop.test' ? '93.184.215.14' : '10.0.0.7', family: 4 }];
      const [endpoint] = parseProxyList(named.url, 'test');
      const { extract, requests } = startPageExtract([endpoint!], { allowPrivateNetworks: false, lookup });
      // The proxy listens on 127.0.0.1, which SSRF protection refuses as a target: as a proxy it is fine.
      const allowed = await extract('', { url: `http://shop.test:${sitePort}/article` });
      expect(allowed.returnvalue).toMatchObject({ status: 200, title: 'Flood Gates', proxy: named.hostPort });
      const contacts = named.forwarded + named.tunnels;
      const refused = await extract('', { url: `http://intranet.test:${sitePort}/article` });
      expect(refused.failedReason).toBe('forbidden_address: intranet.test resolves to 10.0.0.7, which is private (10.0.0.0/8)');
      expect(refused.attemptsMade).toBe(1);
      // Refused before anything was sent: the proxy never heard of it, and it is not counted as the exit's success.
      expect(named.forwarded + named.tunnels).toBe(contacts);
      expect(await requests(named.hostPort, 'ok')).toBe(1);
    } finally {
      await named.close();
    }
  });

  // Makes its own 407s, cool-downs and dead-exit errors, then searches everything this
  // file logged, finished and stored: it holds whichever tests ran before it, in any order.
  it('never lets proxy credentials reach a log line, a job, or Redis', async ({ harness, proxies, journal, startPageExtract }) => {
    const dead = await startForwardProxy({ auth: { username: USER, password: PASSWORD } });
    await dead.stop();
    const [refusing] = parseProxyList(proxies[2]!.url.replace(encodeURIComponent(PASSWORD), WRONG_PASSWORD), 'test');
    const [down, good] = endpointsOf([dead, proxies[0]!]);
    const { extract } = startPageExtract([refusing!, down!, good!], { concurrency: 2 });
    try {
      const jobs = await Promise.all(Array.from({ length: 6 }, () => extract('/article')));
      expect(jobs.some((job) => exitOf(job) === good!.hostPort)).toBe(true);
    } finally {
      await dead.close();
    }
    expect(journal.lines.some((line) => line.includes('proxy cooling down'))).toBe(true);
    const everything = [...journal.lines, ...journal.jobs.map((job) => inspect(job.toJSON(), { depth: 10 }))];
    const redis = harness.connection;
    for (const key of await redis.keys('*')) {
      const type = await redis.type(key);
      if (type === 'string') everything.push(String(await redis.get(key)));
      else if (type === 'hash') everything.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'list') everything.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'zset') everything.push(JSON.stringify(await redis.zrange(key, 0, -1)));
      else if (type === 'stream') everything.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    }
    const text = everything.join('\n');
    expect(text).toContain('proxy answered 407');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });
});

/** Sends its headers at once, then a byte of body every 100 ms, never the end. */
function startTarpit(): Promise<Server> {
  const drips = new Set<NodeJS.Timeout>();
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).write('<p>');
    const drip = setInterval(() => res.write('.'), 100);
    drips.add(drip);
    res.once('close', () => {
      clearInterval(drip);
      drips.delete(drip);
    });
  });
  server.once('close', () => drips.forEach((drip) => clearInterval(drip)));
  return listen(server);
}

/** A pino-shaped logger that keeps every line, formatted in full (errors with their causes). */
function capturingLogger(lines: string[]): Logger {
  const write = (...args: unknown[]) => void lines.push(inspect(args, { depth: 8, breakLength: Infinity }));
  const logger: Logger = new Proxy({} as Logger, {
    get: (_target, property) => {
      if (property === 'child') return () => logger;
      if (property === 'isLevelEnabled') return () => true;
      if (property === 'level') return 'trace';
      if (typeof property === 'string' && ['fatal', 'error', 'warn', 'info', 'debug', 'trace'].includes(property)) return write;
      return undefined;
    },
  });
  return logger;
}
