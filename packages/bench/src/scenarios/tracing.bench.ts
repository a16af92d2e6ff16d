import { generateApiKey } from '@floodgate/shared/api-keys';
import { catalog, jobOptionsFor } from '@floodgate/shared/jobs';
import { createRedis } from '@floodgate/shared/redis';
import { spawnNodeProcess, startOtlpReceiver, type OtlpReceiver } from '@floodgate/testkit';
import { Queue } from 'bullmq';
import type { BenchContext, ResultRow, Scenario } from '../scenario';
import { spawnApi, appEntry } from '../support/app-entry';
import { fill, waitForCompleted } from '../support/drain';
import { postLoad } from '../support/load';
import { median, round } from '../support/stats';

const CONNECTIONS = 64;
const API_KEY = generateApiKey('bench', ['jobs:write']);
const BODY = JSON.stringify({ payload: { text: 'The service was quick and the staff were lovely.' } });
/** One client at full speed: limits lifted, so only speed is measured. */
const UNLIMITED = { API_RATE_LIMIT: 'sentiment=1000000', API_BACKLOG_CAP: 'sentiment=100000000', API_KEYS: JSON.stringify([API_KEY.record]) };

type Side = 'off' | 'on';

/**
 * What tracing costs when it is on: the API's single-POST throughput and a
 * worker process's drain rate with every span exported over OTLP (to a
 * receiver in this process, sampling everything), against the same process
 * with tracing off (no OTEL_* set: the default), alternating in the same run.
 */
export const tracing: Scenario = {
  name: 'tracing',
  title: 'Tracing cost: API and worker with OTLP tracing on (sampling all) vs off',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const receiver = await startOtlpReceiver();
    try {
      const seconds = ctx.size(5, 2);
      const jobs = ctx.size(2_000, 600);
      const rounds = ctx.size(3, 1);
      const enqueue: Record<Side, number[]> = { off: [], on: [] };
      const drain: Record<Side, number[]> = { off: [], on: [] };
      for (let i = 0; i < rounds; i++) {
        // Alternate which side goes first, so warm-up and drift favour neither.
        const order: Side[] = i % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
        for (const side of order) enqueue[side].push(await enqueueRate(ctx, side, receiver, seconds));
        for (const side of order) drain[side].push(await drainRate(ctx, side, receiver, jobs));
      }
      const note = `${receiver.spans.length} spans received over OTLP from the traced side`;
      return [
        {
          scenario: this.name,
          metric: `single POST req/s, tracing on vs off (${CONNECTIONS} connections, ${seconds} s, median of ${rounds})`,
          floodgate: round(median(enqueue.on)),
          baseline: round(median(enqueue.off)),
          better: 'higher',
          target: null,
          note: `the ratio is what stays with tracing on (1 - ratio is its cost); ${note}`,
        },
        {
          scenario: this.name,
          metric: `sentiment jobs/s of one worker process, tracing on vs off (${jobs} jobs, median of ${rounds})`,
          floodgate: round(median(drain.on)),
          baseline: round(median(drain.off)),
          better: 'higher',
          target: null,
          note: 'each traced attempt: BullMQ process and complete spans, floodgate attributes, a cpu task span',
        },
      ];
    } finally {
      await receiver.close();
    }
  },
};

function otelEnv(side: Side, receiver: OtlpReceiver): Record<string, string> {
  return side === 'on' ? { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'bench' } : {};
}

/** Accepted single POSTs per second through one API process. */
async function enqueueRate(ctx: BenchContext, side: Side, receiver: OtlpReceiver, seconds: number): Promise<number> {
  const { app, url } = await spawnApi(ctx.redisUrl, ctx.newPrefix(), { ...UNLIMITED, ...otelEnv(side, receiver) });
  try {
    const load = await postLoad(`${url}/v1/jobs/sentiment`, BODY, CONNECTIONS, seconds, { headers: { authorization: `Bearer ${API_KEY.key}` } });
    return (load.statuses.get(202) ?? 0) / seconds;
  } finally {
    await app.stop();
  }
}

/** Jobs per second one real worker process drains from a pre-filled sentiment queue. */
async function drainRate(ctx: BenchContext, side: Side, receiver: OtlpReceiver, jobs: number): Promise<number> {
  const prefix = ctx.newPrefix();
  const connection = createRedis('worker', { url: ctx.redisUrl, logger: ctx.logger });
  const queue = new Queue('sentiment', { connection, prefix });
  try {
    // Every completed job kept (the catalog keeps 1,000), so the count can reach `jobs`; obliterated after.
    await fill(queue, jobs, (i) => ({ text: `job ${i}: a good and happy day` }), { ...jobOptionsFor(catalog.sentiment), removeOnComplete: false });
    // Paused until the worker is ready: its start (the SDK's load, on one side) is not what is measured.
    await queue.pause();
    const worker = await spawnNodeProcess(appEntry('worker'), {
      REDIS_URL: ctx.redisUrl,
      QUEUE_PREFIX: prefix,
      WORKER_METRICS_PORT: '0',
      WORKER_CPU_THREADS: '1',
      ...otelEnv(side, receiver),
    });
    try {
      const startedAt = performance.now();
      await queue.resume();
      await waitForCompleted(queue, jobs);
      return jobs / ((performance.now() - startedAt) / 1_000);
    } finally {
      await worker.stop();
    }
  } finally {
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  }
}
