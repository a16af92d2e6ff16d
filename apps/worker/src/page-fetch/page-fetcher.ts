import type { FetchTargetPolicy } from '@floodgate/shared/fetch-target';
import type { ProxyEndpoint } from '@floodgate/shared/proxies';
import { inSpan } from '@floodgate/shared/tracing';
import type { JobContext, WebPage } from '../running/define-handler';
import { transientFailure } from '../running/job-errors';
import type { ProxyPool } from '../proxy-pool/proxy-pool';
import { exitFaultOf } from './exit-fault';
import { BlockedResponseError, failedBeforeSending, fetchPage, type FetchPageOptions } from './fetch-page';
import { createGuardedAgent } from './guarded-agent';
import { createTargetGuard, systemLookup, type TargetLookup } from './target-guard';

/** How a worker fetches pages for the types with `fetchesPages`; worker-process.ts fills these from the environment, tests directly. */
export interface PageFetcherOptions {
  /** What may be reached (env PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS: SSRF protection off, local development only). */
  policy: FetchTargetPolicy;
  /**
   * Most body bytes read; a larger page fails with `response_too_large`.
   * @defaultValue 2097152 (env PAGE_EXTRACT_MAX_BYTES)
   */
  maxBytes: number;
  /**
   * Time one fetch may take, redirects and body included (through a proxy:
   * each of the at most two exits tried gets this much).
   * @defaultValue 10000 (env PAGE_EXTRACT_FETCH_TIMEOUT_MS)
   */
  fetchTimeoutMs: number;
  /**
   * Fetch through these exits instead of directly. Owned by the caller, which
   * closes it after the fetcher.
   * @defaultValue none: direct (env FETCH_PROXIES, FETCH_PROXIES_FILE)
   */
  proxyPool?: ProxyPool | undefined;
  /** Resolves targets fetched through a proxy, for the SSRF check. @defaultValue the system resolver */
  lookup?: TargetLookup | undefined;
}

/** What `ctx.fetchPage` goes through: one per worker process, shared by every type with `fetchesPages`. */
export interface PageFetcher {
  /** The page, with the exit that served it (`proxy`: `host:port`, never credentials; null when fetched directly). */
  fetch(url: string, options: { sticky?: string | undefined; ctx: JobContext }): Promise<WebPage>;
  /** Releases the direct path's connections; call once the workers have stopped. */
  close(): Promise<void>;
}

/** Fetches pages directly through the guarded agent, or through the proxy pool when there is one. */
export function createPageFetcher(options: PageFetcherOptions): PageFetcher {
  const { policy } = options;
  // One agent per process: it pools connections, and its connector is where addresses are checked.
  const agent = createGuardedAgent(policy);
  const pool = options.proxyPool;
  const guardTarget = createTargetGuard(policy, options.lookup ?? systemLookup);
  return {
    async fetch(url, { sticky, ctx }) {
      const base = { policy, maxBytes: options.maxBytes, timeoutMs: options.fetchTimeoutMs, signal: ctx.signal };
      if (!pool) return { ...(await inSpan('fetch', () => fetchAttributes(url), () => fetchPage(url, { ...base, dispatcher: agent }))), proxy: null };
      return fetchThroughPool(pool, url, sticky, { ...base, guardTarget }, ctx);
    },
    close: () => agent.close(),
  };
}

/** Where a fetch goes, without its query (which may carry a token). */
function fetchAttributes(url: string): { 'server.address': string; 'url.path': string } {
  const { host, pathname } = new URL(url);
  return { 'server.address': host, 'url.path': pathname };
}

type PoolFetchOptions = Omit<FetchPageOptions, 'dispatcher' | 'proxy'> & { guardTarget: (url: URL, signal: AbortSignal) => Promise<void> };

/**
 * One exit, and once more through another within this attempt when the failure is on the exit's side (exit-fault.ts).
 * No healthy exit fails the attempt with transient `no_healthy_proxy`, retried after the job's backoff.
 */
async function fetchThroughPool(
  pool: ProxyPool,
  url: string,
  sticky: string | undefined,
  options: PoolFetchOptions,
  ctx: JobContext,
): Promise<WebPage> {
  const { guardTarget, ...base } = options;
  const proxy = { guardTarget, blockStatuses: pool.blockStatuses, tunnelHttp: pool.tunnelHttp };
  const tried: Array<{ endpoint: ProxyEndpoint; error: unknown }> = [];
  for (let round = 0; round < 2; round++) {
    const lease = await pool.acquire({ sticky, exclude: tried.map((t) => t.endpoint), signal: ctx.signal });
    if (!lease) {
      if (round === 0) throw transientFailure('no_healthy_proxy', pool.unavailableReason());
      break;
    }
    try {
      const page = await inSpan('fetch', () => ({ ...fetchAttributes(url), 'floodgate.proxy': lease.endpoint.hostPort }), () =>
        fetchPage(url, { ...base, dispatcher: lease.dispatcher, proxy }),
      );
      await lease.release('ok');
      return { ...page, proxy: lease.endpoint.hostPort };
    } catch (err) {
      const fault = exitFaultOf(err);
      await lease.release(fault?.outcome ?? (failedBeforeSending(err) ? 'unused' : ctx.signal.aborted ? 'aborted' : 'ok'), fault?.detail);
      // Not the exit's doing (a forbidden target, the site's silence, reset or 503, the job's own timeout): another exit would not help.
      if (!fault?.anotherExit) throw err;
      tried.push({ endpoint: lease.endpoint, error: err });
      if (ctx.logger.isLevelEnabled('debug')) ctx.logger.debug({ proxy: lease.endpoint.hostPort, outcome: fault.outcome, reason: fault.detail }, 'exit failed');
    }
  }
  // Every exit tried failed: the last failure is the attempt's.
  const last = tried[tried.length - 1];
  if (last?.error instanceof BlockedResponseError) {
    const { fallback } = last.error;
    if ('page' in fallback) return { ...fallback.page, proxy: last.endpoint.hostPort };
    throw fallback.error;
  }
  throw last?.error;
}
