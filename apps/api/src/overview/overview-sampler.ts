import { hostname } from 'node:os';
import { jobTypes } from '@floodgate/shared/jobs';
import type { Logger } from '@floodgate/shared/logger';
import { DEPTH_STATES, depthCounts, fields, startOverviewRecorder, type OverviewRecorder } from '@floodgate/shared/overview';
import { parseMemoryInfo, primaryConnections, type RedisClient } from '@floodgate/shared/redis';
import type { HttpMetrics } from '../metrics/http-metrics';
import type { JobQueues } from '../redis/queues';

export interface OverviewSamplerDeps {
  redis: RedisClient;
  queues: JobQueues;
  prefix: string;
  /** The process's refusal counter, read as a delta at each flush (the request path is not touched). */
  httpMetrics: Pick<HttpMetrics, 'rejections'>;
  logger: Logger;
  /** @defaultValue 5000 */
  flushEveryMs?: number;
}

/**
 * This API process's share of the overview's history, every few seconds:
 * refusals by reason since the last flush, and, as gauges, each type's queue
 * depth and each Redis primary's memory (every API process samples the same
 * gauges; the bucket keeps the last).
 */
export function startOverviewSampler(deps: OverviewSamplerDeps): OverviewRecorder {
  const reported = new Map<string, number>();
  const sample = async (recorder: OverviewRecorder) => {
    for (const { labels, value } of (await deps.httpMetrics.rejections.get()).values) {
      const reason = String(labels.reason);
      const delta = value - (reported.get(reason) ?? 0);
      reported.set(reason, value);
      if (delta > 0) recorder.count(fields.refused(reason), delta);
    }
    if (deps.redis.status !== 'ready') return;
    await Promise.all(
      jobTypes.map(async (type) => {
        const counts = await depthCounts(deps.queues[type]);
        for (const state of DEPTH_STATES) recorder.gauge(fields.depth(type, state), counts[state]);
      }),
    );
    await Promise.all(
      primaryConnections(deps.redis).map(async ({ name, redis }) => {
        const memory = parseMemoryInfo(await redis.info('memory'));
        recorder.gauge(fields.memory(name, 'used'), memory.usedBytes);
        recorder.gauge(fields.memory(name, 'max'), memory.maxBytes);
      }),
    );
  };
  return startOverviewRecorder({
    redis: deps.redis,
    prefix: deps.prefix,
    source: `api:${hostname()}:${process.pid}`,
    ...(deps.flushEveryMs === undefined ? {} : { flushEveryMs: deps.flushEveryMs }),
    beforeFlush: sample,
    logger: deps.logger,
  });
}
