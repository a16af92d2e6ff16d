import { Counter, type Registry } from 'prom-client';

/**
 * How a request through one exit ended, from the exit's point of view. The line
 * is the hand-over: the tunnel to the site is open (or, for an absolute-form
 * request, the request went out to the proxy). Until then only the proxy is
 * talking, so a failure is the exit's; after it, the site is.
 * - `ok`: the proxy delivered an answer's headers (whatever the page said, and
 *   however slowly its body came after them: that is the site's doing);
 * - `blocked`: the proxy answered 407, or the target a block status (403, 429 by default); cools the exit;
 * - `proxy_error`: the proxy could not be reached, or dropped the connection
 *   before the hand-over (or, in absolute form, before the headers: there the
 *   proxy, not the site, is the other end); cools the exit;
 * - `upstream_error`: the proxy answered CONNECT with a status other than 200
 *   and 407 (it could not, or would not, reach the site); recorded, does not cool;
 * - `timeout`: no response headers within the fetch timeout after the
 *   hand-over: the site's silence (a proxy waits for it quietly); does not cool;
 * - `target_error`: the site broke off the tunnel before its headers (a reset,
 *   a failed TLS handshake); does not cool;
 * - `aborted`: the job itself was cancelled or timed out meanwhile (nobody's fault).
 */
export type ProxyOutcome = 'ok' | 'blocked' | 'proxy_error' | 'upstream_error' | 'timeout' | 'target_error' | 'aborted';

export interface ProxyMetrics {
  /** `floodgate_proxy_requests_total{proxy,outcome}`; `proxy` is `host:port`, never credentials. */
  requests: Counter<'proxy' | 'outcome'>;
}

export function createProxyMetrics(registry: Registry): ProxyMetrics {
  return {
    requests: new Counter({
      name: 'floodgate_proxy_requests_total',
      help: 'page-extract requests sent through each proxy (host:port), by outcome: ok, blocked, proxy_error, upstream_error, timeout, target_error, aborted.',
      labelNames: ['proxy', 'outcome'],
      registers: [registry],
    }),
  };
}
