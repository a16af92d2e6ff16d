import { generateApiKey } from '@floodgate/shared/api-keys';
import { createRedis } from '@floodgate/shared/redis';
import { spawnNodeProcess, type RunningProcess } from '@floodgate/testkit';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BenchContext, ResultRow, Scenario } from '../scenario';
import { appEntry, spawnApi } from '../support/app-entry';
import { postBulkUntilAccepted } from '../support/bulk';
import { waitUntilDrained } from '../support/drain';
import { interleave } from '../support/interleave';
import { usedCpuSeconds } from '../support/redis-cpu';
import { median, percentile, round } from '../support/stats';

/** About 10 ms of CPU: short enough for thousands, long enough to queue behind. */
const COMPUTE = { n: 100, m: 2_000 };
const TRICKLE_TENANTS = 5;
const TRICKLE_EVERY_MS = 500;
const TEXT = 'The service was quick and the staff were lovely.';
const BULK_SIZE = 1_000;
const COST_TENANTS = 4;
const WORKER_PROCESSES = 2;

/** Keys of their own: each is a tenant. */
const keys = Array.from({ length: TRICKLE_TENANTS + COST_TENANTS + 1 }, (_, i) => generateApiKey(`bench tenant ${i}`, ['jobs:write', 'jobs:read']));

type Mode = 'idle' | 'fair' | 'unfair';

/**
 * One API key floods compute while five others each send a job every 500 ms: their wait to start with fair shares vs an
 * idle system and vs fairness off, and jobs/s with the trickle vs the flood alone (work-conserving). Then the cost:
 * sentiment in bulk from four keys, fair vs unfair, jobs/s and Redis CPU per job.
 */
export const fairness: Scenario = {
  name: 'fairness',
  title: 'Fair shares: a trickle beside a flood (waits to start, flood throughput) and the cost per job, fairness on vs off',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const flood = ctx.size(3_000, 300);
    const seconds = ctx.size(15, 2);
    const connection = createRedis('worker', { url: ctx.redisUrl, logger: ctx.logger });
    try {
      const idle = await trickleBeside(ctx, connection, 'idle', 0, seconds);
      const fair = await trickleBeside(ctx, connection, 'fair', flood, seconds);
      const unfair = await trickleBeside(ctx, connection, 'unfair', flood, seconds);
      const costJobs = ctx.size(20_000, 2_000);
      const runs = await interleave(['fair', 'unfair'] as const, ctx.size(2, 1), (mode) => costOf(ctx, connection, mode, costJobs), { warmUp: false, alternateFirst: true });
      const cost = (mode: 'fair' | 'unfair') => ({
        jobsPerSecond: median((runs.get(mode) ?? []).map((r) => r.jobsPerSecond)),
        redisUs: median((runs.get(mode) ?? []).map((r) => r.redisCpuUsPerJob)),
      });
      const [fairCost, unfairCost] = [cost('fair'), cost('unfair')];
      const trickle = `${TRICKLE_TENANTS} keys × 1 compute job per ${TRICKLE_EVERY_MS} ms for ${seconds} s`;
      return [
        {
          scenario: this.name,
          metric: `trickle wait to start p50 ms beside a flood of ${flood} (fair) vs idle (${trickle})`,
          floodgate: round(fair.trickleP50),
          baseline: round(idle.trickleP50),
          better: 'lower',
          target: null,
          note: `with fairness off: ${round(unfair.trickleP50)} ms`,
        },
        {
          scenario: this.name,
          metric: `trickle wait to start p95 ms beside the flood (fair) vs idle`,
          floodgate: round(fair.trickleP95),
          baseline: round(idle.trickleP95),
          better: 'lower',
          target: null,
          // The bound: within a couple of seconds while the flood has thousands waiting (a ratio of a few ms against tens says little).
          met: fair.trickleP95 <= 2_000,
          note: `met when at most 2,000 ms; with fairness off: ${round(unfair.trickleP95)} ms, the flood's backlog ahead`,
        },
        {
          scenario: this.name,
          metric: 'jobs/s while the trickle runs beside the flood vs the flood alone (work-conserving)',
          floodgate: round(fair.jobsPerSecondWithTrickle),
          baseline: round(fair.jobsPerSecondAlone),
          better: 'higher',
          target: 0.9,
          note: `the flood's share of jobs run while the trickle ran: ${round(fair.floodShare * 100)}%`,
        },
        {
          scenario: this.name,
          metric: `jobs/s, ${COST_TENANTS} keys × sentiment in bulk (${costJobs} jobs), fairness on vs off`,
          floodgate: round(fairCost.jobsPerSecond),
          baseline: round(unfairCost.jobsPerSecond),
          better: 'higher',
          target: 0.9,
        },
        {
          scenario: this.name,
          metric: 'Redis CPU µs per job, fairness on vs off',
          floodgate: round(fairCost.redisUs),
          baseline: round(unfairCost.redisUs),
          better: 'lower',
          target: 0.87,
          note: 'Redis used_cpu delta ÷ jobs, first enqueue to last completion; target ≥ 0.87× (1 / 1.15): at most 1.15× the unfair path',
        },
      ];
    } finally {
      connection.disconnect();
    }
  },
};

interface Stack {
  api: string;
  queue: (name: string) => Queue;
  stop(): Promise<void>;
}

async function startStack(ctx: BenchContext, connection: Redis, fair: boolean, extra: Record<string, string> = {}): Promise<Stack> {
  const prefix = ctx.newPrefix();
  const env = { QUEUE_FAIRNESS: fair ? 'on' : 'off', ...extra };
  const processes: RunningProcess[] = [];
  const queues: Queue[] = [];
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
    for (const queue of queues) {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  };
  try {
    const api = await spawnApi(ctx.redisUrl, prefix, {
      ...env,
      API_KEYS: JSON.stringify(keys.map((k) => k.record)),
      API_RATE_LIMIT: 'compute=1000000,sentiment=1000000',
      API_MAX_EVENT_LOOP_DELAY_MS: '60000',
    });
    processes.push(api.app);
    for (let i = 0; i < WORKER_PROCESSES; i++) {
      processes.push(await spawnNodeProcess(appEntry('worker'), { REDIS_URL: ctx.redisUrl, QUEUE_PREFIX: prefix, WORKER_METRICS_PORT: '0', ...env }));
    }
    return {
      api: api.url,
      queue: (name) => {
        const queue = new Queue(name, { connection, prefix });
        queues.push(queue);
        return queue;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

const post = async (url: string, key: string, body: unknown): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(60_000) });

/** The trickle's waits to start, and throughput, beside `flood` jobs of one other key (none: an idle system). */
async function trickleBeside(ctx: BenchContext, connection: Redis, mode: Mode, flood: number, seconds: number) {
  // One worker process with one CPU thread: a capacity the flood alone fills many times over.
  const stack = await startStack(ctx, connection, mode !== 'unfair', { WORKER_CPU_THREADS: '1' });
  const queue = stack.queue('compute');
  const flooder = keys[0]!;
  try {
    for (let sent = 0; sent < flood; sent += BULK_SIZE) {
      const jobs = Array.from({ length: Math.min(BULK_SIZE, flood - sent) }, () => ({ payload: COMPUTE }));
      const res = await post(`${stack.api}/v1/jobs/compute/bulk`, flooder.key, { jobs });
      if (res.status !== 202) throw new Error(`the flood's bulk answered ${res.status}: ${await res.text()}`);
    }
    // The flood alone for a moment: its rate is the capacity.
    const completed = async () => (await queue.getMetrics('completed')).meta.count;
    const aloneFrom = { at: performance.now(), done: await completed() };
    if (flood > 0) await new Promise((resolve) => setTimeout(resolve, 2_000));
    const aloneTo = { at: performance.now(), done: await completed() };
    const trickled: string[] = [];
    const starts = watchStarts(queue, trickled);
    const started = performance.now();
    const senders = keys.slice(1, 1 + TRICKLE_TENANTS).map(async (key) => {
      while (performance.now() - started < seconds * 1_000) {
        const res = await post(`${stack.api}/v1/jobs/compute`, key.key, { payload: COMPUTE });
        if (res.status !== 202) throw new Error(`a trickled job answered ${res.status}: ${await res.text()}`);
        trickled.push(((await res.json()) as { id: string }).id);
        await new Promise((resolve) => setTimeout(resolve, TRICKLE_EVERY_MS));
      }
    });
    await Promise.all(senders);
    const windowEnd = { at: performance.now(), done: await completed() };
    const waits = await starts.all();
    const inWindow = windowEnd.done - aloneTo.done;
    const floodInWindow = Math.max(0, inWindow - trickled.length);
    return {
      trickleP50: percentile(waits, 50),
      trickleP95: percentile(waits, 95),
      jobsPerSecondAlone: ((aloneTo.done - aloneFrom.done) * 1_000) / (aloneTo.at - aloneFrom.at),
      jobsPerSecondWithTrickle: (inWindow * 1_000) / (windowEnd.at - aloneTo.at),
      floodShare: inWindow === 0 ? 0 : floodInWindow / inWindow,
    };
  } finally {
    await stack.stop();
  }
}

/**
 * Each of `ids`' wait from added to started, read while the run goes on: on
 * a slow machine retention trims a trickled job (finished early, as it should
 * be) once a thousand flood jobs finish after it, so waiting until the end to
 * read them could find some gone. `all()` resolves once every id sent has started.
 */
function watchStarts(queue: Queue, ids: string[]): { all(): Promise<number[]> } {
  const waits = new Map<string, number>();
  const deadline = Date.now() + 600_000;
  const readStarted = async () => {
    const pending = ids.filter((id) => !waits.has(id));
    const jobs = await Promise.all(pending.map((id) => queue.getJob(id)));
    jobs.forEach((job, index) => {
      if (job?.processedOn !== undefined) waits.set(pending[index]!, job.processedOn - job.timestamp);
    });
  };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      // A failed read is retried here; all() reads too, and says so.
      await readStarted().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async all() {
      try {
        while (!ids.every((id) => waits.has(id))) {
          if (Date.now() > deadline) throw new Error(`${ids.length - waits.size} trickled jobs were not seen started within 10 minutes`);
          await new Promise((resolve) => setTimeout(resolve, 100));
          await readStarted();
        }
        return ids.map((id) => waits.get(id)!);
      } finally {
        stopped = true;
        await loop;
      }
    },
  };
}

/** What `jobs` sentiment jobs from several keys cost end to end: bulk POSTs, two worker processes, until none is left. */
async function costOf(ctx: BenchContext, connection: Redis, mode: 'fair' | 'unfair', jobs: number) {
  const stack = await startStack(ctx, connection, mode === 'fair');
  const queue = stack.queue('sentiment');
  try {
    const body = JSON.stringify({ jobs: Array.from({ length: BULK_SIZE }, () => ({ payload: { text: TEXT } })) });
    const cpuBefore = usedCpuSeconds(await connection.info('cpu'));
    const startedAt = performance.now();
    const perTenant = Math.ceil(jobs / BULK_SIZE / COST_TENANTS);
    await Promise.all(
      keys.slice(1 + TRICKLE_TENANTS).map(async (key) => {
        for (let i = 0; i < perTenant; i++) await postBulkUntilAccepted(`${stack.api}/v1/jobs/sentiment/bulk`, body, undefined, { authorization: `Bearer ${key.key}` });
      }),
    );
    await waitUntilDrained(connection, queue);
    const elapsed = (performance.now() - startedAt) / 1_000;
    const total = perTenant * COST_TENANTS * BULK_SIZE;
    const cpu = usedCpuSeconds(await connection.info('cpu')) - cpuBefore;
    return { jobsPerSecond: total / elapsed, redisCpuUsPerJob: (cpu * 1e6) / total };
  } finally {
    await stack.stop();
  }
}
