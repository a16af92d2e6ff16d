import { Counter, type Registry } from 'prom-client';

/**
 * How a request through one exit ended, from the exit's point of view:
 * - `ok`: the proxy delivered an answer's headers (whatever the page said, and
 *   however slowly its body came after them: that is the site's doing);
 * - `blocked`: the proxy answered 407, or the target a block status (403, 429 by default);
 * - `proxy_error`: the proxy could not be reached or dropped the connection before the headers;
 * - `timeout`: no response headers within the fetch timeout;
 * - `upstream_error`: the proxy could not reach the target (its CONNECT answer was 5xx);
 * - `aborted`: the job itself was cancelled or timed out meanwhile (nobody's fault).
 */
export type ProxyOutcome = 'ok' | 'blocked' | 'proxy_error' | 'timeout' | 'upstream_error' | 'aborted';

export interface ProxyMetrics {
  /** `floodgate_proxy_requests_total{proxy,outcome}`; `proxy` is `host:port`, never credentials. */
  requests: Counter<'proxy' | 'outcome'>;
}

export function createProxyMetrics(registry: Registry): ProxyMetrics {
  return {
    requests: new Counter({
      name: 'floodgate_proxy_requests_total',
      help: 'page-extract requests sent through each proxy (host:port), by outcome: ok, blocked, proxy_error, timeout, upstream_error, aborted.',
      labelNames: ['proxy', 'outcome'],
      registers: [registry],
    }),
  };
}
