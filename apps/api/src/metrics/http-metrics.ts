import type { RequestHandler } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Request and rejection series of one API process. */
export interface HttpMetrics {
  /** `floodgate_http_requests_total{method,route,status}` */
  requests: Counter<'method' | 'route' | 'status'>;
  /** `floodgate_http_request_duration_seconds{method,route,status}` */
  duration: Histogram<'method' | 'route' | 'status'>;
  /**
   * `floodgate_api_rejections_total{reason}`: requests turned away before
   * anything was enqueued because the system could not take them (every 429
   * and 503), by error code: `redis_unavailable`, `redis_timeout`, and the
   * admission-control codes.
   */
  rejections: Counter<'reason'>;
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  const labelNames = ['method', 'route', 'status'] as const;
  return {
    requests: new Counter({ name: 'floodgate_http_requests_total', help: 'HTTP requests answered, by route template and status.', labelNames, registers: [registry] }),
    duration: new Histogram({
      name: 'floodgate_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route template and status.',
      labelNames,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    rejections: new Counter({
      name: 'floodgate_api_rejections_total',
      help: 'Requests refused because the system could not take them (429 and 503), by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}

/**
 * Counts and times every response. The route label is the matched template
 * (`/v1/jobs/:type/:id`), never the raw URL, so ids cannot explode the number
 * of series; anything unmatched is `unmatched`.
 */
export function measureRequests(metrics: HttpMetrics): RequestHandler {
  return (req, res, next) => {
    const stopTimer = metrics.duration.startTimer();
    res.once('close', () => {
      const route = typeof req.route?.path === 'string' ? req.route.path : 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      stopTimer(labels);
      metrics.requests.inc(labels);
    });
    next();
  };
}
