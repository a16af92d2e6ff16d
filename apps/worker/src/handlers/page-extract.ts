import type { PageExtractResult } from '@floodgate/shared/jobs';
import type { ProxyEndpoint } from '@floodgate/shared/proxies';
import { inSpan } from '@floodgate/shared/tracing';
import { defineHandler, type JobContext } from '../running/define-handler';
import { transientFailure } from '../running/job-errors';
import type { ProxyPool } from '../proxy-pool/proxy-pool';
import { exitFaultOf } from './page-extract/exit-fault';
import { BlockedResponseError, failedBeforeSending, fetchPage, type FetchedPage, type FetchPageOptions } from './page-extract/fetch-page';
import { createGuardedAgent } from './page-extract/guarded-agent';
import { parseHtml, parsePlainText } from './page-extract/parse-page';
import { createTargetGuard, systemLookup, type TargetLookup } from './page-extract/target-guard';

/** How page-extract fetches; index.ts fills these from the environment, tests directly. */
export interface PageExtractOptions {
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
   * Reach loopback and private addresses (SSRF protection off). Local development only.
   * @defaultValue false (env PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS)
   */
  allowPrivateNetworks: boolean;
  /**
   * Fetch through these exits instead of directly. Owned by the caller, which
   * closes it after the workers stop.
   * @defaultValue none: direct (env FETCH_PROXIES, FETCH_PROXIES_FILE)
   */
  proxyPool?: ProxyPool | undefined;
  /** Resolves targets fetched through a proxy, for the SSRF check. @defaultValue the system resolver */
  lookup?: TargetLookup;
}

/**
 * Fetches an http(s) page and extracts its content: directly through the
 * guarded agent, or through the proxy pool when there is one.
 */
export function createPageExtractHandler(options: PageExtractOptions) {
  const policy = { allowPrivateNetworks: options.allowPrivateNetworks };
  // One agent per process: it pools connections, and its connector is where addresses are checked.
  const agent = createGuardedAgent(policy);
  const pool = options.proxyPool;
  const guardTarget = createTargetGuard(policy, options.lookup ?? systemLookup);
  return defineHandler(
    'page-extract',
    async ({ url, sticky }, ctx) => {
      const base = { policy, maxBytes: options.maxBytes, timeoutMs: options.fetchTimeoutMs, signal: ctx.signal };
      if (!pool) return resultOf(await inSpan('fetch', () => fetchAttributes(url), () => fetchPage(url, { ...base, dispatcher: agent })), null);
      const { page, exit } = await fetchThroughPool(pool, url, sticky, { ...base, guardTarget }, ctx);
      return resultOf(page, exit);
    },
    { close: () => agent.close() },
  );
}

/** Where a fetch goes, without its query (which may carry a token). */
function fetchAttributes(url: string): { 'server.address': string; 'url.path': string } {
  const { host, pathname } = new URL(url);
  return { 'server.address': host, 'url.path': pathname };
}

function resultOf(page: FetchedPage, proxy: string | null): PageExtractResult {
  // Pages without content to read (a 404) arrive with an empty body: an empty result.
  const content = inSpan('parse', { 'floodgate.page.kind': page.kind ?? 'none' }, () =>
    page.kind === 'html' ? parseHtml(page.body, page.finalUrl) : parsePlainText(page.body),
  );
  return { finalUrl: page.finalUrl, status: page.status, ...content, proxy };
}

type PoolFetchOptions = Omit<FetchPageOptions, 'dispatcher' | 'proxy'> & { guardTarget: (url: URL, signal: AbortSignal) => Promise<void> };

/**
 * One exit, and when the failure is on that exit's side (unreachable, closed
 * the CONNECT, blocked, could not reach the site: exit-fault.ts), once more
 * through a different one, within this attempt. No healthy exit at all fails
 * the attempt with `no_healthy_proxy` (transient: BullMQ retries it after the
 * job's backoff, never in a tight loop).
 */
async function fetchThroughPool(
  pool: ProxyPool,
  url: string,
  sticky: string | undefined,
  options: PoolFetchOptions,
  ctx: JobContext,
): Promise<{ page: FetchedPage; exit: string }> {
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
      return { page, exit: lease.endpoint.hostPort };
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
    if ('page' in fallback) return { page: fallback.page, exit: last.endpoint.hostPort };
    throw fallback.error;
  }
  throw last?.error;
}
