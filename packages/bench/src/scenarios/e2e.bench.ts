import { join } from 'node:path';
import { catalog, jobOptionsFor } from '@floodgate/shared/jobs';
import { createRedis } from '@floodgate/shared/redis';
import { spawnNodeProcess, type RunningProcess } from '@floodgate/testkit';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BenchContext, ResultRow, Scenario } from '../scenario';
import { sendBulks } from '../support/bulk';
import { fill, waitUntilDrained } from '../support/drain';
import { postLoad } from '../support/load';
import { startPm2Apps } from '../support/pm2-apps';
import { usedCpuSeconds } from '../support/redis-cpu';
import { round } from '../support/stats';

/** Worker processes on each side: pm2's default (one per core) on this 2-core machine kind. */
const WORKER_PROCESSES = 2;
const BULK_SIZE = 1_000;
const BULK_CONNECTIONS = 8;
const SINGLE_CONNECTIONS = 64;
const TEXT = 'The service was quick and the staff were lovely.';

interface Side {
  jobs: number;
  jobsPerSecond: number;
  /** Redis CPU (used_cpu_sys + used_cpu_user) per job, in microseconds. */
  redisCpuUsPerJob: number;
}

/**
 * The whole path: sentiment jobs over HTTP (bulk, then 64 connections of single POSTs) into the API and workers as
 * `npm start` runs them, vs raw `Queue.addBulk` into raw BullMQ Workers (same count and job options, same Redis, same
 * run). Reports jobs/s from first enqueue to last completion, and Redis CPU per job (`INFO cpu` deltas).
 */
export const e2e: Scenario = {
  name: 'e2e',
  title: 'End to end: HTTP enqueue + pm2 workers vs raw addBulk + raw Workers (jobs/s, Redis CPU per job)',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const jobs = ctx.size(20_000, 3_000);
    const seconds = ctx.size(10, 3);
    const connection = createRedis('worker', { url: ctx.redisUrl, logger: ctx.logger });
    try {
      const raw = await measureRaw(ctx, connection, jobs);
      const { bulk, singles, bulkRefused, singlesShed } = await measureFloodgate(ctx, connection, jobs, seconds);
      const cpuNote = 'Redis used_cpu_sys + used_cpu_user delta over the run (polling included, the same on both sides) ÷ jobs';
      return [
        {
          scenario: this.name,
          metric: `jobs/s end to end, bulk POSTs (${jobs} jobs, ${BULK_SIZE}/request) vs raw addBulk, ${WORKER_PROCESSES} worker processes`,
          floodgate: round(bulk.jobsPerSecond),
          baseline: round(raw.jobsPerSecond),
          better: 'higher',
          target: 0.8,
          note: `${bulkRefused} bulk requests shed (429/503) and retried after 200 ms`,
        },
        {
          scenario: this.name,
          metric: 'Redis CPU µs per job, bulk POSTs vs raw addBulk',
          floodgate: round(bulk.redisCpuUsPerJob),
          baseline: round(raw.redisCpuUsPerJob),
          better: 'lower',
          target: 0.83,
          note: `${cpuNote}; target ≥ 0.83× (1 / 1.2): at most 1.2× raw`,
        },
        {
          scenario: this.name,
          metric: `jobs/s end to end, single POSTs (${SINGLE_CONNECTIONS} connections, ${seconds} s: ${singles.jobs} jobs) vs raw addBulk`,
          floodgate: round(singles.jobsPerSecond),
          baseline: round(raw.jobsPerSecond),
          better: 'higher',
          target: 0.8,
          note: `only 202s count as jobs; ${singlesShed} requests shed (429/503)`,
        },
        {
          scenario: this.name,
          metric: 'Redis CPU µs per job, single POSTs vs raw addBulk',
          floodgate: round(singles.redisCpuUsPerJob),
          baseline: round(raw.redisCpuUsPerJob),
          better: 'lower',
          target: 0.83,
          note: `${cpuNote}; target ≥ 0.83× (1 / 1.2): at most 1.2× raw`,
        },
      ];
    } finally {
      connection.disconnect();
    }
  },
};

async function measureRaw(ctx: BenchContext, connection: Redis, jobs: number): Promise<Side> {
  const prefix = ctx.newPrefix();
  const workers: RunningProcess[] = [];
  const queue = new Queue('sentiment', { connection, prefix });
  try {
    for (let i = 0; i < WORKER_PROCESSES; i++) {
      workers.push(
        await spawnNodeProcess(join(__dirname, '../baselines/raw-worker.js'), {
          REDIS_URL: ctx.redisUrl,
          QUEUE_PREFIX: prefix,
          CONCURRENCY: String(catalog.sentiment.concurrency),
        }),
      );
    }
    return await timed(connection, queue, async () => {
      await fill(queue, jobs, () => ({ text: TEXT }), jobOptionsFor(catalog.sentiment));
      return jobs;
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

async function measureFloodgate(
  ctx: BenchContext,
  connection: Redis,
  jobs: number,
  seconds: number,
): Promise<{ bulk: Side; singles: Side; bulkRefused: number; singlesShed: number }> {
  const prefix = ctx.newPrefix();
  const apps = await startPm2Apps(ctx.redisUrl, {
    QUEUE_PREFIX: prefix,
    WORKER_INSTANCES: String(WORKER_PROCESSES),
    // Speed is measured here; what keys and limits cost is the enqueue scenario's business.
    AUTH_DISABLED: 'true',
    API_RATE_LIMIT: 'sentiment=1000000',
  });
  const queue = new Queue('sentiment', { connection, prefix });
  try {
    const body = JSON.stringify({ jobs: Array.from({ length: BULK_SIZE }, () => ({ payload: { text: TEXT } })) });
    let refused = 0;
    const bulk = await timed(connection, queue, async () => {
      const requests = Math.ceil(jobs / BULK_SIZE);
      await sendBulks(`${apps.apiUrl}/v1/jobs/sentiment/bulk`, body, requests, BULK_CONNECTIONS, () => (refused += 1));
      return requests * BULK_SIZE;
    });
    let singlesShed = 0;
    const singles = await timed(connection, queue, async () => {
      const load = await postLoad(`${apps.apiUrl}/v1/jobs/sentiment`, JSON.stringify({ payload: { text: TEXT } }), SINGLE_CONNECTIONS, seconds);
      // Sheds (429/503) are the API doing its job on a busy machine: only 202s count as jobs.
      const others = [...load.statuses].filter(([status]) => ![202, 429, 503].includes(status));
      if (others.length > 0) throw new Error(`single POSTs answered ${others.map(([status, n]) => `${n}× ${status}`).join(', ')}`);
      singlesShed = (load.statuses.get(429) ?? 0) + (load.statuses.get(503) ?? 0);
      return load.statuses.get(202) ?? 0;
    });
    return { bulk, singles, bulkRefused: refused, singlesShed };
  } finally {
    await apps.stop();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

/**
 * Runs `enqueue` (which returns how many jobs it enqueued), waits until the
 * queue has none left to run, and times the whole; Redis CPU from just before
 * to just after.
 */
async function timed(connection: Redis, queue: Queue, enqueue: () => Promise<number>): Promise<Side> {
  const cpuBefore = await redisCpuSeconds(connection);
  const startedAt = performance.now();
  const jobs = await enqueue();
  await waitUntilDrained(connection, queue);
  const elapsed = (performance.now() - startedAt) / 1_000;
  const cpu = (await redisCpuSeconds(connection)) - cpuBefore;
  return { jobs, jobsPerSecond: jobs / elapsed, redisCpuUsPerJob: (cpu * 1e6) / jobs };
}

async function redisCpuSeconds(connection: Redis): Promise<number> {
  return usedCpuSeconds(await connection.info('cpu'));
}
