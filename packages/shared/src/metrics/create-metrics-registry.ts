import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A Prometheus registry for one process, with Node's default metrics (CPU,
 * memory, GC, and event-loop delay: `nodejs_eventloop_lag_p99_seconds` is the
 * one to watch on workers) and an `app` label on every series.
 */
export function createMetricsRegistry(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  // 10 ms resolution: fine enough to see a CPU-bound handler block the loop.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  return registry;
}
