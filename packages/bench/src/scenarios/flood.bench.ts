import { heldJobCounts } from '@floodgate/shared/fairness';
import { createRedis } from '@floodgate/shared/redis';
import { freePort, freePortRun, startRedis } from '@floodgate/testkit';
import { Queue } from 'bullmq';
import type { BenchContext, ResultRow, Scenario } from '../scenario';
import { postLoad } from '../support/load';
import { spawnApi } from '../support/app-entry';
import { startPm2Apps, type Pm2Apps } from '../support/pm2-apps';
import { percentile, round } from '../support/stats';

const CONNECTIONS = 256;
/** Two API processes behind pm2's cluster master: more than the 2-core default (one), so the harder case. */
const API_PROCESSES = 2;
const HEALTH_BUDGET_MS = 100;

/**
 * A flood far above what the workers drain, against a small-`maxmemory` Redis, two API processes and a worker under pm2:
 * the API must shed (429/503), lose no accepted job and keep its liveness probe fast. Baselines: the limits themselves
 * (0 lost, maxmemory) and a quiet API process's probe at the same moments.
 */
export const flood: Scenario = {
  name: 'flood',
  title: 'Flood: shedding at the front door with a small Redis',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const seconds = ctx.size(10, 3);
    // Its own Redis: the flood's whole point is a small maxmemory.
    const redis = await startRedis({ maxmemory: ctx.size('16mb', '8mb') });
    const connection = createRedis('worker', { url: redis.url, logger: ctx.logger });
    const prefix = ctx.newPrefix();
    let apps: Pm2Apps | undefined;
    let quiet: Awaited<ReturnType<typeof spawnApi>> | undefined;
    const queue = new Queue('compute', { connection, prefix });
    try {
      // Each API process answers its liveness probe on a port of its own (API_HEALTH_PORT + instance), from a thread.
      const healthBase = await freePortRun(API_PROCESSES);
      apps = await startPm2Apps(redis.url, {
        QUEUE_PREFIX: prefix,
        API_INSTANCES: String(API_PROCESSES),
        WORKER_INSTANCES: '1',
        WORKER_CPU_THREADS: '1',
        // What auth costs is measured by the enqueue scenario; here, shedding is.
        AUTH_DISABLED: 'true',
        // One client floods: lift its rate limit so the memory guard and backlog cap do the shedding.
        API_RATE_LIMIT: 'compute=1000000',
        API_HEALTH_PORT: String(healthBase),
      });
      const api = { url: apps.apiUrl };
      // A quiet API process beside the flooded ones, on the same machine and Redis, sent nothing but the probe:
      // what the machine's load alone (the flood's clients, the other processes, Redis) costs a probe.
      const quietHealthPort = await freePort();
      quiet = await spawnApi(redis.url, prefix, { AUTH_DISABLED: 'true', API_HEALTH_PORT: String(quietHealthPort) });
      const flooded = `http://127.0.0.1:${healthBase}`;
      const healthz = async (samples: number[], going: () => boolean, url: string) => {
        while (going()) {
          const started = performance.now();
          await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
          samples.push(performance.now() - started);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      // The same probe before the flood: what the machine alone (other load included) costs it.
      const restMs: number[] = [];
      const restUntil = performance.now() + 2_000;
      await healthz(restMs, () => performance.now() < restUntil, flooded);
      const healthMs: number[] = [];
      const quietMs: number[] = [];
      // The API port's own /healthz, answered by the main loop that sheds the flood: for comparison.
      const mainLoopMs: number[] = [];
      let peakMemory = 0;
      let flooding = true;
      const watchers = [
        healthz(healthMs, () => flooding, flooded),
        healthz(quietMs, () => flooding, `http://127.0.0.1:${quietHealthPort}`),
        healthz(mainLoopMs, () => flooding, api.url),
        (async () => {
          while (flooding) {
            const info = await connection.info('memory');
            const used = Number(/^used_memory:(\d+)/m.exec(info)?.[1]);
            const max = Number(/^maxmemory:(\d+)/m.exec(info)?.[1]);
            peakMemory = Math.max(peakMemory, used / max);
            await new Promise((r) => setTimeout(r, 100));
          }
        })(),
      ];
      const load = await postLoad(
        `${api.url}/v1/jobs/compute`,
        // ~5 ms of CPU each on one thread: the worker drains a few hundred a second, far below the offer.
        // The smoke run's jobs are ten times lighter, so draining what it accepted takes seconds, not half a minute.
        JSON.stringify({ payload: { n: 20, m: ctx.size(2_000, 200) } }),
        CONNECTIONS,
        seconds,
      );
      const statuses = load.statuses;
      flooding = false;
      await Promise.all(watchers);

      const accepted = statuses.get(202) ?? 0;
      const backlog = async () => {
        // Jobs waiting for their tenant's turn are in fairness lanes, where BullMQ does not count.
        const [counts, held] = await Promise.all([queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active'), heldJobCounts(connection, queue)]);
        return [...Object.values(counts), ...Object.values(held)].reduce((sum, n) => sum + n, 0);
      };
      // Let the workers finish what was accepted, then account for every job.
      const drainStarted = performance.now();
      const deadline = Date.now() + 120_000;
      while ((await backlog()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      const drainSeconds = (performance.now() - drainStarted) / 1_000;
      const done = (await queue.getMetrics('completed')).meta.count + (await queue.getMetrics('failed')).meta.count;
      // Requests still in flight when the load stopped may have been enqueued without
      // their 202 being counted: extra jobs are expected, missing ones are lost.
      const lost = Math.max(0, accepted - done - (await backlog()));
      const others = [...statuses].filter(([status]) => ![202, 429, 503].includes(status));
      const failures = load.unexpected - (statuses.get(429) ?? 0) - (statuses.get(503) ?? 0);
      return [
        {
          scenario: this.name,
          metric: `accepted jobs lost (${accepted} accepted in ${seconds} s at ${CONNECTIONS} connections, ${API_PROCESSES} API processes)`,
          floodgate: lost,
          baseline: null,
          better: 'lower',
          target: null,
          met: lost === 0 && others.length === 0 && failures === 0,
          note: `responses: ${[...statuses].map(([s, n]) => `${n}× ${s}`).join(', ')}; errors and timeouts: ${failures}; must be 0 lost and only 202/429/503; the worker finished the backlog ${round(drainSeconds)} s after the load`,
        },
        {
          scenario: this.name,
          metric: 'Redis peak used_memory / maxmemory',
          floodgate: round(peakMemory),
          baseline: 1,
          better: 'lower',
          target: 1,
          note: 'the ratio is maxmemory / peak: above 1 means Redis never reached its limit',
        },
        {
          scenario: this.name,
          metric: 'liveness probe p99 ms while shedding, flooded process vs a quiet one beside it',
          floodgate: round(percentile(healthMs, 99)),
          baseline: round(percentile(quietMs, 99)),
          better: 'lower',
          target: 0.5,
          note: `API_HEALTH_PORT's /healthz (a thread of its own) of a flooded process and of an API process sent nothing else, probed at the same moments: what the flood costs the probe beyond the machine's load; target: at most twice the quiet one. At rest before the flood p99 ${round(percentile(restMs, 99))} ms; the ${HEALTH_BUDGET_MS} ms budget: ${percentile(healthMs, 99) <= HEALTH_BUDGET_MS ? 'met' : 'not met'}; the API port's /healthz (the main loop, through pm2's cluster master) p99 ${round(percentile(mainLoopMs, 99))} ms`,
        },
      ];
    } finally {
      await quiet?.app.stop();
      await apps?.stop();
      await queue.close();
      connection.disconnect();
      await redis.stop();
    }
  },
};
