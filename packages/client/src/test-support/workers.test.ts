import type { ApiHarness } from '@floodgate/api/testing';
import { catalog } from '@floodgate/shared/jobs';
import { createLogger } from '@floodgate/shared/logger';
import { createMetricsRegistry } from '@floodgate/shared/metrics';
import { createRedis } from '@floodgate/shared/redis';
import { createJobWorker, createWorkerMetrics, defineHandler, listenForCancels } from '@floodgate/worker/runtime';

type Handlers = {
  sentiment?: ReturnType<typeof defineHandler<'sentiment'>>;
  compute?: ReturnType<typeof defineHandler<'compute'>>;
};

/**
 * Floodgate's worker runtime (createJobWorker: validation, time limits, result
 * checks) for the types given, with the test's own handlers, plus the cancel
 * subscription the worker process adds. Test-only: never in the build.
 */
export async function startWorkers(api: ApiHarness, handlers: Handlers) {
  const logger = createLogger({ name: 'client-test', level: 'silent', pretty: false });
  const connection = createRedis('worker', { url: api.redis.url, logger });
  const metrics = createWorkerMetrics(createMetricsRegistry('client-test'));
  const common = { connection, prefix: api.prefix, logger, metrics };
  const running = [
    ...(handlers.sentiment ? [{ type: 'sentiment' as const, worker: createJobWorker({ ...common, definition: catalog.sentiment, handler: handlers.sentiment }) }] : []),
    ...(handlers.compute ? [{ type: 'compute' as const, worker: createJobWorker({ ...common, definition: catalog.compute, handler: handlers.compute }) }] : []),
  ];
  await Promise.all(running.map(({ worker }) => worker.waitUntilReady()));
  const stopCancels = await listenForCancels({ redis: connection, prefix: api.prefix, workers: running, logger });
  return {
    async stop() {
      await stopCancels();
      // Forced: a test that failed half-way may leave a job running until aborted.
      await Promise.all(running.map(({ worker }) => worker.close(true)));
      await connection.quit();
    },
  };
}
