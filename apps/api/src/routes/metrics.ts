import type { Registry } from 'prom-client';
import type { HandlersOf } from './route-handlers';

/**
 * `GET /metrics` in the Prometheus text format. Under pm2 cluster mode the API
 * port is shared, so this answers from whichever process takes the request;
 * for exact per-process counters scrape each process's own metrics port
 * (API_METRICS_PORT + instance) instead.
 */
export function metricsHandlers(registry: Registry): HandlersOf<'metrics'> {
  return {
    metrics: async ({ res }) => {
      const body = await registry.metrics();
      res.type(registry.contentType).send(body);
    },
  };
}
