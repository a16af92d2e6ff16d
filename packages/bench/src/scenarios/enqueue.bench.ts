import { generateApiKey } from '@floodgate/shared/api-keys';
import { createRedis } from '@floodgate/shared/redis';
import { freePort, spawnNodeProcess, type RunningProcess } from '@floodgate/testkit';
import { Queue } from 'bullmq';
import { join } from 'node:path';
import type { BenchContext, ResultRow, Scenario } from '../scenario';
import { postLoad, type LoadResult } from '../support/load';
import { spawnApi } from '../support/app-entry';
import { round } from '../support/stats';

const CONNECTIONS = 64;
const BULK_SIZE = 1_000;
const BULK_CONNECTIONS = 8;
/** floodgate's side runs with auth on, as deployed: every request carries this key. */
const API_KEY = generateApiKey('bench', ['jobs:write']);
const AUTH = { authorization: `Bearer ${API_KEY.key}` };
const BODY = JSON.stringify({ payload: { text: 'The service was quick and the staff were lovely.' } });

/**
 * Single-job POSTs at 64 connections: floodgate's API process (validation,
 * error handling, metrics; logging at warn) against a plain express handler
 * that calls `queue.add` per request, both one process on the same Redis.
 */
export const enqueue: Scenario = {
  name: 'enqueue',
  title: 'Enqueue over HTTP: floodgate API vs plain express + queue.add',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const seconds = ctx.size(10, 3);
    const floodgate = await measure(ctx, 'floodgate', seconds);
    const baseline = await measure(ctx, 'baseline', seconds);
    // The same API process and pipeline with its lean HTTP adapter left out: `?wait=0` changes nothing about the
    // job but sends the request through express.
    const viaExpress = await measure(ctx, 'floodgate', seconds, '?wait=0');
    const unexpected = floodgate.unexpected + baseline.unexpected;
    const bulkSeconds = ctx.size(3, 1);
    const bulkFloodgate = await measureBulkApi(ctx, bulkSeconds);
    const bulkRaw = await measureRawAddBulk(ctx, bulkSeconds);
    return [
      {
        scenario: this.name,
        metric: `single POST req/s (${CONNECTIONS} connections, ${seconds} s)`,
        // Only 202s count: a refusal is cheap and must not pass for throughput.
        floodgate: round(accepted(floodgate, seconds)),
        baseline: round(accepted(baseline, seconds)),
        better: 'higher',
        target: 2,
        note:
          `accepted jobs per second (202s only); p99 ${floodgate.p99Ms} ms vs ${baseline.p99Ms} ms; ${unexpected} non-202 responses. ` +
          'floodgate coalesces the requests of one event-loop turn into one rate-limit call and one pipelined add, on a lean HTTP path in front of express.',
      },
      {
        scenario: this.name,
        metric: `single POST req/s, lean path vs express path (${CONNECTIONS} connections, ${seconds} s)`,
        floodgate: round(accepted(floodgate, seconds)),
        baseline: round(accepted(viaExpress, seconds)),
        better: 'higher',
        target: 1,
        note: `both sides are the same API process and enqueue pipeline; the baseline adds \`?wait=0\`, which express serves. ${viaExpress.unexpected} non-202 responses on the express side.`,
      },
      {
        scenario: this.name,
        metric: `bulk POST jobs/s (${BULK_SIZE} per request, ${BULK_CONNECTIONS} connections, ${bulkSeconds} s) vs raw Queue.addBulk`,
        floodgate: round(bulkFloodgate),
        baseline: round(bulkRaw),
        better: 'higher',
        target: 0.8,
      },
    ];
  },
};

/** floodgate's side, as deployed (auth on), with one client's limits lifted so only speed is measured. */
const UNLIMITED_API_ENV = {
  // One client at full speed: lift its rate limit and backlog cap, or this measures the 429 path.
  API_RATE_LIMIT: 'sentiment=1000000',
  API_BACKLOG_CAP: 'sentiment=100000000',
  API_KEYS: JSON.stringify([API_KEY.record]),
};

async function measure(ctx: BenchContext, side: 'floodgate' | 'baseline', seconds: number, query = '') {
  const prefix = ctx.newPrefix();
  let app: RunningProcess;
  let url: string;
  if (side === 'floodgate') {
    ({ app, url } = await spawnApi(ctx.redisUrl, prefix, UNLIMITED_API_ENV));
  } else {
    const port = await freePort();
    app = await spawnNodeProcess(join(__dirname, '../baselines/plain-express-api.js'), { REDIS_URL: ctx.redisUrl, QUEUE_PREFIX: prefix, PORT: String(port) });
    url = `http://127.0.0.1:${port}`;
  }
  try {
    return await postLoad(`${url}/v1/jobs/sentiment${query}`, BODY, CONNECTIONS, seconds, { headers: AUTH });
  } finally {
    await app.stop();
  }
}

/** Requests answered 202 per second. */
function accepted(load: LoadResult, seconds: number): number {
  return (load.statuses.get(202) ?? 0) / seconds;
}

/** Jobs per second through `POST /v1/jobs/sentiment/bulk`, limits lifted so only speed is measured. */
async function measureBulkApi(ctx: BenchContext, seconds: number): Promise<number> {
  const { app: api, url } = await spawnApi(ctx.redisUrl, ctx.newPrefix(), UNLIMITED_API_ENV);
  try {
    const body = JSON.stringify({ jobs: Array.from({ length: BULK_SIZE }, (_, i) => ({ payload: { text: `bulk job ${i} is fine` } })) });
    const load = await postLoad(`${url}/v1/jobs/sentiment/bulk`, body, BULK_CONNECTIONS, seconds, { headers: AUTH });
    return ((load.statuses.get(202) ?? 0) * BULK_SIZE) / seconds;
  } finally {
    await api.stop();
  }
}

/** Jobs per second with `Queue.addBulk` of the same batches, from as many concurrent callers. */
async function measureRawAddBulk(ctx: BenchContext, seconds: number): Promise<number> {
  const connection = createRedis('worker', { url: ctx.redisUrl, logger: ctx.logger });
  const queue = new Queue('sentiment', { connection, prefix: ctx.newPrefix() });
  const batch = Array.from({ length: BULK_SIZE }, (_, i) => ({ name: 'sentiment', data: { text: `bulk job ${i} is fine` } }));
  let added = 0;
  const until = performance.now() + seconds * 1_000;
  try {
    await Promise.all(
      Array.from({ length: BULK_CONNECTIONS }, async () => {
        while (performance.now() < until) {
          await queue.addBulk(batch);
          added += BULK_SIZE;
        }
      }),
    );
    return added / seconds;
  } finally {
    await queue.close();
    connection.disconnect();
  }
}
