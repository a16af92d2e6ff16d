import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '@floodgate/shared/api-keys';
import { catalog, jobOptionsFor } from '@floodgate/shared/jobs';
import { createRedis } from '@floodgate/shared/redis';
import { defaultApiInstances } from '@floodgate/shared/stack';
import { freePort, spawnNodeProcess } from '@floodgate/testkit';
import { Queue } from 'bullmq';
import type { BenchContext, ResultRow, Scenario } from '../scenario';
import { spawnApi } from '../support/app-entry';
import { interleave } from '../support/interleave';
import { postLoad, type LoadResult } from '../support/load';
import { startPm2Apps } from '../support/pm2-apps';
import { round } from '../support/stats';

const CONNECTIONS = 64;
const BULK_SIZE = 1_000;
const BULK_CONNECTIONS = 8;
/** floodgate's side runs with auth on, as deployed: every request carries this key. */
const API_KEY = generateApiKey('bench', ['jobs:write']);
const AUTH = { authorization: `Bearer ${API_KEY.key}` };
const BODY = JSON.stringify({ payload: { text: 'The service was quick and the staff were lovely.' } });
/** The API process counts measured under pm2. */
const PM2_API_INSTANCES = [1, 2] as const;
/** What ecosystem.config.js starts on this machine when API_INSTANCES is unset. */
const shippedInstances = defaultApiInstances(availableParallelism());

/** floodgate's side, as deployed (auth on), with one client's limits lifted so only speed is measured. */
const UNLIMITED_API_ENV = {
  // One client at full speed: lift its rate limit and backlog cap, or this measures the 429 path.
  API_RATE_LIMIT: 'sentiment=1000000',
  API_BACKLOG_CAP: 'sentiment=100000000',
  API_KEYS: JSON.stringify([API_KEY.record]),
};

type SingleSide = 'floodgate' | 'baseline' | 'express-path' | 'pm2-1' | 'pm2-2';

/** Requests answered 202 and seconds measured, over every round of one side. */
interface Tally {
  accepted: number;
  seconds: number;
  unexpected: number;
  p99Ms: number[];
}

/**
 * Single-job POSTs at 64 connections: floodgate's API vs a plain express handler calling `queue.add`, one process each on
 * the same Redis; the API under pm2 with one and two processes; and bulk POSTs vs raw `Queue.addBulk`. Sides alternate
 * rounds, so a busy minute hits all of them alike.
 */
export const enqueue: Scenario = {
  name: 'enqueue',
  title: 'Enqueue over HTTP: floodgate API vs plain express + queue.add',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const rounds = ctx.size(4, 1);
    const roundSeconds = ctx.size(3, 1);
    const singles = await measureSingles(ctx, rounds, roundSeconds);
    const rate = (side: SingleSide) => accepted(singles.get(side));
    const floodgate = singles.get('floodgate');
    const baseline = singles.get('baseline');
    const viaExpress = singles.get('express-path');
    const bulkRounds = ctx.size(4, 1);
    const bulkRoundSeconds = ctx.size(4, 1);
    const bulk = await measureBulk(ctx, bulkRounds, bulkRoundSeconds);
    const shape = `${CONNECTIONS} connections, ${rounds} rounds of ${roundSeconds} s`;
    return [
      {
        scenario: this.name,
        metric: `single POST req/s, one API process (${shape})`,
        // Only 202s count: a refusal is cheap and must not pass for throughput.
        floodgate: round(rate('floodgate')),
        baseline: round(rate('baseline')),
        better: 'higher',
        target: 2,
        note:
          `accepted jobs per second (202s only); p99 ${p99(floodgate)} ms vs ${p99(baseline)} ms; ` +
          `${(floodgate?.unexpected ?? 0) + (baseline?.unexpected ?? 0)} non-202 responses. ` +
          'floodgate coalesces the requests of one event-loop turn into one rate-limit call and one pipelined add, on a lean HTTP path in front of express.',
      },
      ...PM2_API_INSTANCES.map((instances) => {
        const tally = singles.get(`pm2-${instances}`);
        const shipped = instances === shippedInstances;
        return {
          scenario: this.name,
          metric: `single POST req/s under pm2, API_INSTANCES=${instances}${shipped ? ' (the default on this machine)' : ''} (${shape})`,
          floodgate: round(accepted(tally)),
          baseline: round(rate('baseline')),
          better: 'higher' as const,
          target: shipped ? 2 : null,
          note: `the API as \`npm start\` runs it (ecosystem.config.js, cluster mode; workers not started); p99 ${p99(tally)} ms; ${tally?.unexpected ?? 0} non-202 responses`,
        };
      }),
      {
        scenario: this.name,
        metric: `single POST req/s, lean path vs express path (${shape})`,
        floodgate: round(rate('floodgate')),
        baseline: round(rate('express-path')),
        better: 'higher',
        target: 1,
        note: `both sides are the same API process and enqueue pipeline; the baseline adds \`?wait=0\`, which express serves. ${viaExpress?.unexpected ?? 0} non-202 responses on the express side.`,
      },
      {
        scenario: this.name,
        metric: `bulk POST jobs/s (${BULK_SIZE} per request, ${BULK_CONNECTIONS} callers, ${bulkRounds} rounds of ${bulkRoundSeconds} s) vs raw Queue.addBulk`,
        floodgate: round(bulk.api.jobs / bulk.api.seconds),
        baseline: round(bulk.raw.jobs / bulk.raw.seconds),
        better: 'higher',
        target: 0.8,
        note:
          `both sides: ${BULK_CONNECTIONS} callers that each wait for their answer before sending again, jobs counted when answered (${bulk.api.jobs} and ${bulk.raw.jobs}), ` +
          `time until the last answer; the same jobs (payload and the catalog's job options) on both sides. ${bulk.api.shed} requests shed (429/503) and retried after 200 ms`,
      },
    ];
  },
};

/** Every single-POST side started once, then measured in alternating rounds. */
async function measureSingles(ctx: BenchContext, rounds: number, roundSeconds: number): Promise<Map<SingleSide, Tally>> {
  const stops: Array<() => Promise<void>> = [];
  try {
    const direct = await spawnApi(ctx.redisUrl, ctx.newPrefix(), UNLIMITED_API_ENV);
    stops.push(() => direct.app.stop());
    const port = await freePort();
    const plain = await spawnNodeProcess(join(__dirname, '../baselines/plain-express-api.js'), {
      REDIS_URL: ctx.redisUrl,
      QUEUE_PREFIX: ctx.newPrefix(),
      PORT: String(port),
    });
    stops.push(() => plain.stop());
    const urls = new Map<SingleSide, string>([
      ['floodgate', `${direct.url}/v1/jobs/sentiment`],
      ['baseline', `http://127.0.0.1:${port}/v1/jobs/sentiment`],
      // The same API process and pipeline with its lean HTTP adapter left out: `?wait=0` changes nothing about
      // the job but sends the request through express.
      ['express-path', `${direct.url}/v1/jobs/sentiment?wait=0`],
    ]);
    for (const instances of PM2_API_INSTANCES) {
      const apps = await startPm2Apps(ctx.redisUrl, { ...UNLIMITED_API_ENV, QUEUE_PREFIX: ctx.newPrefix(), API_INSTANCES: String(instances) }, ['api']);
      stops.push(() => apps.stop());
      urls.set(`pm2-${instances}`, `${apps.apiUrl}/v1/jobs/sentiment`);
    }
    const results = await interleave([...urls.keys()], rounds, async (side, warmUp) =>
      postLoad(String(urls.get(side)), BODY, CONNECTIONS, warmUp ? 1 : roundSeconds, { headers: AUTH }),
    );
    return new Map([...results].map(([side, loads]) => [side, tally(loads, roundSeconds)]));
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

function tally(loads: LoadResult[], roundSeconds: number): Tally {
  return {
    accepted: loads.reduce((sum, load) => sum + (load.statuses.get(202) ?? 0), 0),
    seconds: loads.length * roundSeconds,
    unexpected: loads.reduce((sum, load) => sum + load.unexpected, 0),
    p99Ms: loads.map((load) => load.p99Ms),
  };
}

/** Requests answered 202 per second. */
function accepted(tally: Tally | undefined): number {
  return tally ? tally.accepted / tally.seconds : 0;
}

/** The worst round's p99. */
function p99(tally: Tally | undefined): number {
  return Math.max(0, ...(tally?.p99Ms ?? []));
}

interface BulkTally {
  jobs: number;
  seconds: number;
  shed: number;
}

/**
 * `POST /v1/jobs/sentiment/bulk` on one API process against `Queue.addBulk`
 * of the same jobs, each from 8 callers that wait for their answer before
 * sending the next batch, in alternating rounds.
 */
async function measureBulk(ctx: BenchContext, rounds: number, roundSeconds: number): Promise<{ api: BulkTally; raw: BulkTally }> {
  const { app: api, url } = await spawnApi(ctx.redisUrl, ctx.newPrefix(), UNLIMITED_API_ENV);
  const connection = createRedis('worker', { url: ctx.redisUrl, logger: ctx.logger });
  const queue = new Queue('sentiment', { connection, prefix: ctx.newPrefix() });
  const body = JSON.stringify({ jobs: Array.from({ length: BULK_SIZE }, (_, i) => ({ payload: { text: `bulk job ${i} is fine` } })) });
  // What the API stores for each item: the payload and the catalog's options for the type.
  const options = jobOptionsFor(catalog.sentiment);
  const batch = Array.from({ length: BULK_SIZE }, (_, i) => ({ name: 'sentiment', data: { text: `bulk job ${i} is fine` }, opts: options }));
  const totals = { api: { jobs: 0, seconds: 0, shed: 0 }, raw: { jobs: 0, seconds: 0, shed: 0 } };
  const bulkUrl = `${url}/v1/jobs/sentiment/bulk`;
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(bulkUrl)) throw new Error(`load goes to 127.0.0.1 only, not ${bulkUrl}`);
  try {
    await interleave(['api', 'raw'] as const, rounds, async (side, warmUp) => {
      const started = performance.now();
      const until = started + (warmUp ? 1 : roundSeconds) * 1_000;
      let jobs = 0;
      let shed = 0;
      await Promise.all(
        Array.from({ length: BULK_CONNECTIONS }, async () => {
          while (performance.now() < until) {
            if (side === 'raw') {
              await queue.addBulk(batch);
              jobs += BULK_SIZE;
              continue;
            }
            const res = await fetch(bulkUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH }, body });
            await res.arrayBuffer();
            if (res.status === 202) jobs += BULK_SIZE;
            else if (res.status === 429 || res.status === 503) {
              shed += 1;
              await new Promise((r) => setTimeout(r, 200));
            } else throw new Error(`bulk POST answered ${res.status}`);
          }
        }),
      );
      if (warmUp) return;
      const total = totals[side];
      total.jobs += jobs;
      total.seconds += (performance.now() - started) / 1_000;
      total.shed += shed;
    });
    return totals;
  } finally {
    await api.stop();
    await queue.close();
    connection.disconnect();
  }
}
