import { jobTypes } from '@floodgate/shared/jobs';
import { openQueues, closeQueues, type JobQueues } from '@floodgate/shared/queues';
import { createRedis } from '@floodgate/shared/redis';
import type { BenchContext, ResultRow, Scenario } from '../scenario';
import { postLoad } from '../support/load';
import { startPm2Apps } from '../support/pm2-apps';
import { round } from '../support/stats';

const WORKER_PROCESSES = 2;
/** Single POSTs per second: steady, well under what the stack sustains on this machine kind. */
const SENTIMENT_RATE = 360;
const COMPUTE_RATE = 2;
/** How long the jobs may take to finish after the load ends before the run counts them as stuck. */
const FINISH_WITHIN_MS = 120_000;

/**
 * `pm2 reload worker` (a deploy) under a steady load of single POSTs: every acknowledged job must finish, and soon after
 * the reload ends, measured against how long the same load takes to finish with no reload.
 */
export const rollingReload: Scenario = {
  name: 'rolling-reload',
  title: '`pm2 reload worker` under a steady single-POST load: every job done, and how soon after the reload',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const seconds = ctx.size(25, 5);
    // The smoke run skips the no-reload side: the row's point there is only that the scenario runs.
    const quiet = ctx.quick ? undefined : await measure(ctx, seconds, false);
    const reloaded = await measure(ctx, seconds, true);
    const load = `${seconds} s of ${SENTIMENT_RATE} sentiment + ${COMPUTE_RATE} compute POSTs/s, ${WORKER_PROCESSES} worker processes`;
    return [
      {
        scenario: this.name,
        metric: `acknowledged jobs unfinished ${FINISH_WITHIN_MS / 1_000} s after the load, with a reload during it (${reloaded.acknowledged} acknowledged)`,
        floodgate: reloaded.unfinished,
        baseline: null,
        better: 'lower',
        target: null,
        met: reloaded.unfinished === 0,
        // A refusal (429/503: nothing enqueued) is the API shedding on a busy machine, not a job lost.
        note: `${load}; refused (nothing enqueued): ${reloaded.refused} with the reload${quiet ? `, ${quiet.refused} without` : ''}`,
      },
      {
        scenario: this.name,
        metric: 's from the load\'s end to the last job finished, reload vs none',
        floodgate: round(reloaded.drainSeconds),
        baseline: quiet ? round(quiet.drainSeconds) : null,
        better: 'lower',
        target: null,
        note: `the reload ended ${round(reloaded.reloadEndedBeforeLoadEndSeconds)} s before the load did; the last job finished ${round(reloaded.afterReloadSeconds)} s after the reload ended`,
      },
      {
        scenario: this.name,
        metric: 'jobs that failed, reload vs none',
        floodgate: reloaded.failed,
        baseline: quiet?.failed ?? null,
        better: 'lower',
        target: null,
        met: reloaded.failed === 0,
      },
    ];
  },
};

interface Run {
  acknowledged: number;
  /** POSTs answered 429 or 503: refused, nothing enqueued. */
  refused: number;
  unfinished: number;
  failed: number;
  /** From the load's end to the last acknowledged job finished. */
  drainSeconds: number;
  /** From the reload's end to the last acknowledged job finished. */
  afterReloadSeconds: number;
  reloadEndedBeforeLoadEndSeconds: number;
}

async function measure(ctx: BenchContext, seconds: number, reload: boolean): Promise<Run> {
  const prefix = ctx.newPrefix();
  const apps = await startPm2Apps(ctx.redisUrl, {
    QUEUE_PREFIX: prefix,
    WORKER_INSTANCES: String(WORKER_PROCESSES),
    AUTH_DISABLED: 'true',
    API_RATE_LIMIT: 'sentiment=1000000,compute=1000000',
  });
  const connection = createRedis('worker', { url: ctx.redisUrl, logger: ctx.logger });
  const queues: JobQueues = openQueues(connection, prefix);
  try {
    const sentiment = postLoad(`${apps.apiUrl}/v1/jobs/sentiment`, JSON.stringify({ payload: { text: 'The staff were lovely.' } }), 16, seconds, { rate: SENTIMENT_RATE });
    const compute = postLoad(`${apps.apiUrl}/v1/jobs/compute`, JSON.stringify({ payload: { n: 60, m: 2_000 } }), 2, seconds, { rate: COMPUTE_RATE });
    let reloadEnded = 0;
    if (reload) {
      await new Promise((resolve) => setTimeout(resolve, (seconds * 1_000) / 4));
      // Returns once every replaced process said it is ready (wait_ready).
      await apps.pm2('reload', 'worker');
      reloadEnded = performance.now();
    }
    const loads = await Promise.all([sentiment, compute]);
    const loadEnded = performance.now();
    const others = loads.flatMap((load) => [...load.statuses].filter(([status]) => ![202, 429, 503].includes(status)));
    if (others.length > 0) throw new Error(`the POSTs answered ${others.map(([status, n]) => `${n}× ${status}`).join(', ')}`);
    const acknowledged = loads.reduce((sum, load) => sum + (load.statuses.get(202) ?? 0), 0);
    const refused = loads.reduce((sum, load) => sum + (load.statuses.get(429) ?? 0) + (load.statuses.get(503) ?? 0), 0);

    // BullMQ's per-minute metrics count every finished job, retention or not.
    const finished = async () => {
      let done = 0;
      let failed = 0;
      for (const type of jobTypes) {
        for (const queue of queues[type].partitions) {
          done += (await queue.getMetrics('completed')).meta.count;
          failed += (await queue.getMetrics('failed')).meta.count;
        }
      }
      return { done: done + failed, failed };
    };
    let state = await finished();
    while (state.done < acknowledged && performance.now() - loadEnded < FINISH_WITHIN_MS) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      state = await finished();
    }
    const lastFinished = performance.now();
    return {
      acknowledged,
      refused,
      unfinished: Math.max(0, acknowledged - state.done),
      failed: state.failed,
      drainSeconds: (lastFinished - loadEnded) / 1_000,
      afterReloadSeconds: reload ? (lastFinished - reloadEnded) / 1_000 : 0,
      reloadEndedBeforeLoadEndSeconds: reload ? (loadEnded - reloadEnded) / 1_000 : 0,
    };
  } finally {
    await apps.stop();
    await closeQueues(queues);
    connection.disconnect();
  }
}
