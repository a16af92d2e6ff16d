import { Counter, type Registry } from 'prom-client';

/**
 * How a request through one exit ended. Before the hand-over (tunnel open, or request sent in absolute form) a failure is
 * the exit's, after it the site's (docs/operations.md, "page-extract's proxy pool"). `ok`: headers came. Cool the exit:
 * `blocked` (407, or a block status), `proxy_error` (unreachable, or dropped before the hand-over). Do not cool:
 * `upstream_error` (CONNECT answered other than 200/407), `timeout` (no headers in time), `target_error` (the site broke
 * off the tunnel), `aborted` (the job was cancelled or timed out).
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
