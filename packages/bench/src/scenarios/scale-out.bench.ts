import { attachReplica, freePort, redisCli, spawnNodeProcess, startRedis, startRedisCluster, type RunningProcess } from '@floodgate/testkit';
import type { BenchContext, ResultRow, Scenario } from '../scenario';
import { appEntry } from '../support/app-entry';
import { sendBulks } from '../support/bulk';
import { usedCpuSeconds } from '../support/redis-cpu';
import { round } from '../support/stats';

/** Worker processes on each side: pm2's default (one per core) on this 2-core machine kind. */
const WORKER_PROCESSES = 2;
const BULK_SIZE = 500;
const BULK_CONNECTIONS = 8;
const TEXT = 'The service was quick and the staff were lovely.';
/** The cluster side splits the type into this many partition queues (3 per primary when they spread evenly). */
const PARTITIONS = 6;

interface Side {
  jobs: number;
  jobsPerSecond: number;
  /** Per primary (`host:port`): Redis CPU (used_cpu_sys + used_cpu_user) per job, in µs. */
  cpuUsPerJob: Array<{ primary: string; us: number }>;
  /** Redis CPU of all primaries together while the apps idle (polling, heartbeats, samplers), µs per second. */
  idleUsPerSecond: number;
  /** The run's length, s. */
  seconds: number;
}

/**
 * Does a second and third primary raise the ceiling? The `e2e` workload on one primary and on a 3-primary cluster (AOF on,
 * one replica each). On 2 cores jobs/s cannot triple, so the ceiling is read from Redis CPU µs per job on the busiest
 * primary (`INFO cpu` deltas): a primary saturates at 1e6 µs a second.
 */
export const scaleOut: Scenario = {
  name: 'scale-out',
  title: `Scale out: 3-primary cluster (QUEUE_PARTITIONS=sentiment=${PARTITIONS}) vs 1 primary (jobs/s, Redis CPU per job per primary, evenness)`,
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const jobs = ctx.size(20_000, 2_000);
    const idleMs = ctx.size(3_000, 1_000);
    const single = await measureSingle(ctx, jobs, idleMs);
    const cluster = await measureCluster(ctx, jobs, idleMs);
    const idleShare = (side: Side) => `${round(side.idleUsPerSecond)} µs/s at rest, ${round((side.idleUsPerSecond * side.seconds) / side.jobs)} µs per job over the run's ${round(side.seconds)} s`;

    const singleUs = single.cpuUsPerJob[0]?.us ?? Number.NaN;
    const perPrimary = cluster.cpuUsPerJob.map((p) => p.us);
    const totalUs = perPrimary.reduce((sum, us) => sum + us, 0);
    const busiestUs = Math.max(...perPrimary);
    const evenness = Math.min(...perPrimary) / busiestUs;
    const primaries = perPrimary.length;
    const listed = cluster.cpuUsPerJob.map((p) => `${p.primary} ${round(p.us)} µs`).join(', ');
    const ceilingNote =
      `ceiling = 1e6 µs/s ÷ the busiest primary's Redis CPU µs per job (${round(busiestUs)} on the cluster, ${round(singleUs)} on one primary); ` +
      `with an even spread, N primaries ≈ N × 1e6 ÷ ${round(totalUs)} (the cluster's total µs per job): ` +
      `${[3, 6, 10].map((n) => `${n}: ${round((n * 1e6) / totalUs)}`).join(', ')} jobs/s. Redis's own CPU only: the apps and the network set their own limits`;
    return [
      {
        scenario: this.name,
        metric: `jobs/s end to end, ${jobs} jobs in bulk POSTs of ${BULK_SIZE}, ${WORKER_PROCESSES} worker processes: 3-primary cluster vs 1 primary`,
        floodgate: round(cluster.jobsPerSecond),
        baseline: round(single.jobsPerSecond),
        better: 'higher',
        target: null,
        note: 'reported: on 2 shared cores the apps, not Redis, bound the jobs/s of both sides',
      },
      {
        scenario: this.name,
        metric: 'Redis CPU µs per job on the busiest primary: cluster vs 1 primary',
        floodgate: round(busiestUs),
        baseline: round(singleUs),
        better: 'lower',
        target: null,
        note: `per primary: ${listed}`,
      },
      {
        scenario: this.name,
        metric: 'Redis CPU µs per job, all primaries together: cluster vs 1 primary',
        floodgate: round(totalUs),
        baseline: round(singleUs),
        better: 'lower',
        target: null,
        note: `what spreading costs in all; included, the apps' Redis work at rest (each partition's Workers, stalled checks, samplers): cluster ${idleShare(cluster)}, one primary ${idleShare(single)}`,
      },
      {
        scenario: this.name,
        metric: `evenness: least / most busy primary's Redis CPU (${primaries} primaries) vs perfect balance`,
        floodgate: round(evenness),
        baseline: 1,
        better: 'higher',
        target: 0.8,
        note: `QUEUE_PARTITIONS=sentiment=${PARTITIONS} on the cluster side; one queue per type stays on one primary`,
      },
      {
        scenario: this.name,
        metric: 'projected Redis ceiling, jobs/s: the 3-primary cluster vs 1 primary',
        floodgate: round(1e6 / busiestUs),
        baseline: round(1e6 / singleUs),
        better: 'higher',
        target: null,
        note: ceilingNote,
      },
    ];
  },
};

async function measureSingle(ctx: BenchContext, jobs: number, idleMs: number): Promise<Side> {
  const primary = await startRedis({ appendonly: true });
  const replica = await startRedis();
  try {
    await attachReplica(replica.port, primary.port);
    return await measure(ctx, { REDIS_URL: primary.url }, [primary.port], jobs, idleMs);
  } finally {
    await replica.stop();
    await primary.stop();
  }
}

async function measureCluster(ctx: BenchContext, jobs: number, idleMs: number): Promise<Side> {
  const cluster = await startRedisCluster();
  try {
    const primaries = (await cluster.topology()).filter((n) => n.role === 'primary' && n.slots.length > 0).map((n) => n.port);
    return await measure(ctx, { REDIS_CLUSTER_NODES: cluster.seeds, QUEUE_PARTITIONS: `sentiment=${PARTITIONS}` }, primaries, jobs, idleMs);
  } finally {
    await cluster.stop();
  }
}

/**
 * Starts the API and worker processes on `redisEnv`, reads what they cost the
 * primaries at rest for `idleMs`, then enqueues `jobs`, waits until all ran,
 * and reads each primary's CPU around it.
 */
async function measure(ctx: BenchContext, redisEnv: Record<string, string>, primaryPorts: number[], jobs: number, idleMs: number): Promise<Side> {
  // Untagged, so each queue (and partition) takes its own hash tag and slot.
  const prefix = `bench${Math.random().toString(36).slice(2, 8)}`;
  const env = {
    ...redisEnv,
    QUEUE_PREFIX: prefix,
    // Speed is measured here; what keys and limits cost is the enqueue scenario's business.
    AUTH_DISABLED: 'true',
    API_RATE_LIMIT: 'sentiment=1000000',
    API_BACKLOG_CAP: 'sentiment=100000000',
  };
  const processes: RunningProcess[] = [];
  try {
    const apiPort = await freePort();
    processes.push(await spawnNodeProcess(appEntry('api'), { ...env, API_PORT: String(apiPort), API_METRICS_PORT: '0', API_HEALTH_PORT: '0' }, 60_000));
    for (let i = 0; i < WORKER_PROCESSES; i++) processes.push(await spawnNodeProcess(appEntry('worker'), { ...env, WORKER_METRICS_PORT: '0' }, 60_000));
    const api = `http://127.0.0.1:${apiPort}`;
    const sum = (values: number[]) => values.reduce((total, n) => total + n, 0);
    const idleBefore = sum(await Promise.all(primaryPorts.map(redisCpuSeconds)));
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    // The idle period's last reading is the load's first.
    const cpuBefore = await Promise.all(primaryPorts.map(redisCpuSeconds));
    const idleUsPerSecond = ((sum(cpuBefore) - idleBefore) * 1e6) / (idleMs / 1_000);
    const startedAt = performance.now();
    const body = JSON.stringify({ jobs: Array.from({ length: BULK_SIZE }, () => ({ payload: { text: TEXT } })) });
    const requests = Math.ceil(jobs / BULK_SIZE);
    await sendBulks(`${api}/v1/jobs/sentiment/bulk`, body, requests, BULK_CONNECTIONS);
    await waitUntilRun(api);
    const elapsed = (performance.now() - startedAt) / 1_000;
    const cpuAfter = await Promise.all(primaryPorts.map(redisCpuSeconds));
    const enqueued = requests * BULK_SIZE;
    ctx.logger.info({ primaries: primaryPorts.length, jobs: enqueued, seconds: elapsed }, 'scale-out side done');
    return {
      jobs: enqueued,
      jobsPerSecond: enqueued / elapsed,
      idleUsPerSecond,
      seconds: elapsed,
      cpuUsPerJob: primaryPorts.map((port, i) => ({ primary: `127.0.0.1:${port}`, us: (((cpuAfter[i] ?? 0) - (cpuBefore[i] ?? 0)) * 1e6) / enqueued })),
    };
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
  }
}

/** Until the API counts no sentiment job left to run (over every partition); a failed one fails the run. */
async function waitUntilRun(api: string, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${api}/v1/queues`, { signal: AbortSignal.timeout(10_000) });
    const { queues } = (await res.json()) as { queues: Array<{ type: string; counts: Record<string, number> }> };
    const counts = queues.find((q) => q.type === 'sentiment')?.counts ?? {};
    if ((counts.failed ?? 0) > 0) throw new Error(`${counts.failed} sentiment jobs failed during the scale-out benchmark`);
    if (['waiting', 'active', 'delayed', 'prioritized'].every((state) => (counts[state] ?? 0) === 0)) return;
    if (Date.now() > deadline) throw new Error(`the sentiment jobs did not all run within ${timeoutMs} ms: ${JSON.stringify(counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function redisCpuSeconds(port: number): Promise<number> {
  return usedCpuSeconds(await redisCli(port, 'info', 'cpu'));
}
