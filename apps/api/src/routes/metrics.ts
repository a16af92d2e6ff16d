import { Router } from 'express';
import type { Registry } from 'prom-client';
import { methodNotAllowed } from './method-not-allowed';

/**
 * `GET /metrics` in the Prometheus text format. Under pm2 cluster mode the API
 * port is shared, so this answers from whichever process takes the request;
 * for exact per-process counters scrape each process's own metrics port
 * (API_METRICS_PORT + instance) instead.
 */
export function metricsRouter(registry: Registry): Router {
  const router = Router();
  router
    .route('/metrics')
    .get(async (_req, res) => {
      const body = await registry.metrics();
      res.type(registry.contentType).send(body);
    })
    .all(methodNotAllowed(['GET']));
  return router;
}
