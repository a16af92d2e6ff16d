import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { answerHealthProbe, type ReadinessProbe } from './health-probes';

export interface MetricsServerOptions {
  registry: Registry;
  host: string;
  port: number;
  logger: Logger;
  /** Also serve `/healthz` and `/readyz` (see answerHealthProbe), asking this whether the process is ready. @defaultValue /metrics only */
  readiness?: ReadinessProbe;
}

/**
 * Serves `GET /metrics` on a port of its own, and the health probes when given
 * a readiness probe. Metrics are a side show: if the port is taken the process
 * logs it and runs on without them, rather than a worker refusing to work
 * because a scrape port was busy.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<Server | undefined> {
  const served = options.readiness ? 'GET /metrics, /healthz and /readyz are' : 'Only GET /metrics is';
  const server = createServer((req, res) => {
    if (options.readiness && answerHealthProbe(req, res, options.readiness)) return;
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'route_not_found', message: `${served} served here.` } }));
      return;
    }
    options.registry
      .metrics()
      .then((body) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(body))
      .catch((err: unknown) => {
        options.logger.error({ err }, 'metrics collection failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n');
      });
  });
  server.listen(options.port, options.host);
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err))]);
  } catch (err) {
    options.logger.error({ err, port: options.port }, 'metrics port unavailable; running without a metrics endpoint');
    return undefined;
  }
  options.logger.info({ url: `http://${options.host}:${options.port}/metrics` }, 'metrics listening');
  return server;
}

/**
 * The metrics port of one pm2 instance: `base + NODE_APP_INSTANCE`, so every
 * process of a scaled app has its own and Prometheus scrapes each one (a port
 * shared in pm2 cluster mode would answer from a random process each time).
 */
export function metricsPortFor(base: number, instance: number): number {
  return base + instance;
}
