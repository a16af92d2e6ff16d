import { join } from 'node:path';
import { catalog, jobOptionsFor } from '@floodgate/shared/jobs';
import { createRedis } from '@floodgate/shared/redis';
import { freePort, metricValue, spawnNodeProcess, type RunningProcess } from '@floodgate/testkit';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BenchContext, ResultRow, Scenario } from '../scenario';
import { appEntry, spawnApi } from '../support/app-entry';
import { openFilesLimit, parkWaiters, rssBytes, waitUntilIdle, type ParkedWaiters, type WaiterAnswer } from '../support/long-poll';
import { percentile, round } from '../support/stats';

/** `?wait=` of every long-poll: the API's maximum, so no waiter times out while the rest are parked. */
const WAIT_SECONDS = 30;
/** Connections opened at once while parking, the accept queue drained between batches: well under Node's backlog of 511. */
const PARK_BATCH = 200;
/** File descriptors each process keeps for everything but the waiters' sockets. */
const FD_MARGIN = 512;
/** The connection ratio floodgate must reach: at least 10x fewer Redis connections per parked waiter. */
const CONNECTION_TARGET = 10;
const TEXT = 'The parcel came a day late, but the support team was kind and quick to help.';

/**
 * N `GET /v1/jobs/sentiment/:id?wait=30` parked on one API process over a paused queue, then the queue resumed: Redis
 * connections and RSS added, every answer, finish-to-answer time and release time. Baseline: a plain express handler
 * with `job.waitUntilFinished(new QueueEvents(...))` as BullMQ documents it, at a smaller N (one connection per waiter).
 */
export const waiters: Scenario = {
  name: 'waiters',
  title: 'Parked long-polls on one API process: floodgate waiter map vs a QueueEvents per request',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const wanted = ctx.size(10_000, 300);
    // Each side of a waiter's connection holds a descriptor: this process for the client, the API (which inherits the limit) for the server.
    const fdLimit = openFilesLimit();
    const count = Math.max(50, Math.min(wanted, fdLimit - FD_MARGIN));
    const capped = count < wanted ? ` (capped from ${wanted} by ulimit -n ${fdLimit})` : '';
    const baselineCount = ctx.size(200, 50);

    const floodgate = await measure(ctx, 'floodgate', count);
    const baseline = await measure(ctx, 'baseline', baselineCount);
    const compared = `floodgate: ${count} waiters on the API process${capped}; baseline: ${baselineCount} waiters on a plain express process with a QueueEvents per request`;
    const connectionsRatio = floodgate.connectionsPerThousand === 0 ? Number.POSITIVE_INFINITY : baseline.connectionsPerThousand / floodgate.connectionsPerThousand;
    return [
      {
        scenario: this.name,
        metric: 'Redis connections added per 1,000 parked waiters',
        floodgate: round(floodgate.connectionsPerThousand),
        baseline: round(baseline.connectionsPerThousand),
        better: 'lower',
        target: CONNECTION_TARGET,
        met: connectionsRatio >= CONNECTION_TARGET && floodgate.settled && baseline.settled,
        note:
          `connected_clients (INFO clients) parked minus before parking: +${floodgate.connectionsAdded} for ${count} floodgate waiters ` +
          `(its one QueueEvents subscriber per job type), +${baseline.connectionsAdded} for ${baselineCount} baseline waiters. ${compared}`,
      },
      {
        scenario: this.name,
        metric: `waiters answered 200 completed, of ${count}`,
        floodgate: floodgate.ok,
        baseline: null,
        better: 'higher',
        target: null,
        met: floodgate.ok === count,
        note: `floodgate: ${describeAnswers(floodgate)}; baseline: ${baseline.ok} of ${baselineCount} (${describeAnswers(baseline)})`,
      },
      {
        scenario: this.name,
        metric: 'API RSS added per parked waiter, KB',
        floodgate: round(floodgate.rssPerWaiterKb),
        baseline: round(baseline.rssPerWaiterKb),
        better: 'lower',
        target: null,
        note:
          `floodgate API RSS ${mb(floodgate.rssBefore)} MB idle, ${mb(floodgate.rssParked)} MB with ${count} parked ` +
          `(V8 heap used ${mb(floodgate.heapBefore)} → ${mb(floodgate.heapParked)} MB); ` +
          `baseline ${mb(baseline.rssBefore)} → ${mb(baseline.rssParked)} MB with ${baselineCount}. ` +
          'Includes the server side of each TCP connection and any heap V8 has not collected yet',
      },
      {
        scenario: this.name,
        metric: 'p99 ms from job finished to waiter answered',
        floodgate: round(floodgate.wakeP99),
        baseline: round(baseline.wakeP99),
        better: 'lower',
        target: null,
        note:
          `p50 ${round(floodgate.wakeP50)} ms vs ${round(baseline.wakeP50)} ms (BullMQ finishedOn to the client's receipt); ` +
          `different N on each side (${count} vs ${baselineCount}), so informational. ${compared}`,
      },
      {
        scenario: this.name,
        metric: `release time for ${count} waiters, ms (queue resumed → last answer)`,
        floodgate: round(floodgate.releaseMs),
        baseline: null,
        better: 'lower',
        target: null,
        note:
          `includes one floodgate worker process (1 CPU thread, catalog concurrency) scoring the ${count} jobs; ` +
          `parking took ${round(floodgate.parkMs)} ms; API /healthz max ${round(floodgate.healthMaxMs)} ms and ` +
          `event-loop lag max ${round(floodgate.lagMaxMs)} ms (p99 ${round(floodgate.lagP99Ms)} ms) during the release`,
      },
    ];
  },
};

interface Measured {
  count: number;
  settled: boolean;
  connectionsAdded: number;
  connectionsPerThousand: number;
  rssBefore: number;
  rssParked: number;
  rssPerWaiterKb: number;
  /** V8 heap used (floodgate's /metrics), bytes; NaN for the baseline. */
  heapBefore: number;
  heapParked: number;
  parkMs: number;
  /** Answers that arrived before the queue was resumed (none should). */
  early: number;
  ok: number;
  statuses: Map<number, number>;
  /** 200s whose job was not completed with a valid result. */
  stale: Map<string, number>;
  /** Those 200s by the job's state after the run ('unknown': deleted, by retention). */
  staleNow: Map<string, number>;
  errors: Map<string, number>;
  wakeP50: number;
  wakeP99: number;
  releaseMs: number;
  healthMaxMs: number;
  lagMaxMs: number;
  lagP99Ms: number;
}

async function measure(ctx: BenchContext, side: 'floodgate' | 'baseline', count: number): Promise<Measured> {
  const prefix = ctx.newPrefix();
  const connection = createRedis('worker', { url: ctx.redisUrl, logger: ctx.logger });
  const queue = new Queue('sentiment', { connection, prefix });
  const processes: RunningProcess[] = [];
  let parked: ParkedWaiters | undefined;
  let probing = false;
  let probe: Promise<void> | undefined;
  try {
    if (side === 'baseline') {
      const maxClients = Number(((await connection.config('GET', 'maxclients')) as string[])[1]);
      if (count + 100 > maxClients) throw new Error(`baseline needs ${count} Redis connections, maxclients is ${maxClients}`);
    }
    // Paused, so nothing finishes while the waiters are being parked; the worker is already up.
    await queue.pause();
    const ids = await addJobs(queue, count);
    processes.push(
      await spawnNodeProcess(appEntry('worker'), { REDIS_URL: ctx.redisUrl, QUEUE_PREFIX: prefix, WORKER_METRICS_PORT: '0', WORKER_CPU_THREADS: '1' }),
    );
    const metricsPort = await freePort();
    let api: RunningProcess;
    let port: number;
    if (side === 'floodgate') {
      // What auth costs is measured by the enqueue scenario; here, parked requests are.
      ({ app: api, port } = await spawnApi(ctx.redisUrl, prefix, { API_METRICS_PORT: String(metricsPort), AUTH_DISABLED: 'true' }));
    } else {
      port = await freePort();
      api = await spawnNodeProcess(join(__dirname, '../baselines/naive-wait-api.js'), { REDIS_URL: ctx.redisUrl, QUEUE_PREFIX: prefix, PORT: String(port) });
    }
    processes.push(api);
    const base = `http://127.0.0.1:${port}`;
    // Warm the route (no wait), then let the process settle before the "before" figures.
    const warm = await fetch(`${base}/v1/jobs/sentiment/${ids[0]}`, { signal: AbortSignal.timeout(5_000) });
    if (warm.status !== 200) throw new Error(`${side}: GET of a waiting job answered ${warm.status}`);
    await waitUntilIdle(api.pid, 5_000);
    const scrape = async () =>
      side === 'floodgate' ? (await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { signal: AbortSignal.timeout(10_000) })).text() : '';
    const clientsBefore = await connectedClients(connection);
    const rssBefore = rssBytes(api.pid);
    const heapBefore = heapUsed(await scrape());

    parked = await parkWaiters(
      port,
      ids.map((id) => `/v1/jobs/sentiment/${id}?wait=${WAIT_SECONDS}`),
      { batch: PARK_BATCH, timeoutMs: (WAIT_SECONDS + 15) * 1_000 },
    );
    // Every request is sent; once the API is idle it has read each job and parked each waiter.
    const settled = await waitUntilIdle(api.pid, 15_000);
    const early = parked.answered();
    const clientsParked = await connectedClients(connection);
    const rssParked = rssBytes(api.pid);
    // Collecting resets the event-loop histogram: what the last scrape reports is the release alone.
    const heapParked = heapUsed(await scrape());

    const health: number[] = [];
    probing = true;
    probe = (async () => {
      while (probing) {
        const started = performance.now();
        await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(10_000) }).then(
          (res) => res.arrayBuffer(),
          () => undefined,
        );
        health.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const resumedAt = performance.now();
    await queue.resume();
    const answers = await parked.all;
    probing = false;
    await probe;
    const metrics = await scrape();

    const summary = summarize(answers);
    // A 200 that is not completed: was the job gone (retention deleted it before the API re-read it) or still running?
    const staleNow = new Map<string, number>();
    for (const [i, answer] of answers.entries()) {
      if (answer.status !== 200 || isValidCompleted(answer)) continue;
      const state = await queue.getJobState(ids[i] ?? '');
      staleNow.set(state, (staleNow.get(state) ?? 0) + 1);
    }
    const finished = answers.filter((a) => a.status !== 0);
    const releaseMs = finished.length === 0 ? Number.NaN : Math.max(...finished.map((a) => a.answeredAtMono)) - resumedAt;
    const connectionsAdded = clientsParked - clientsBefore;
    return {
      count,
      settled,
      connectionsAdded,
      connectionsPerThousand: (connectionsAdded / count) * 1_000,
      rssBefore,
      rssParked,
      rssPerWaiterKb: (rssParked - rssBefore) / 1_024 / count,
      heapBefore,
      heapParked,
      parkMs: parked.parkMs,
      early,
      ...summary,
      staleNow,
      releaseMs,
      healthMaxMs: health.length === 0 ? Number.NaN : Math.max(...health),
      lagMaxMs: (metricValue(metrics, 'nodejs_eventloop_lag_max_seconds') ?? Number.NaN) * 1_000,
      lagP99Ms: (metricValue(metrics, 'nodejs_eventloop_lag_p99_seconds') ?? Number.NaN) * 1_000,
    };
  } finally {
    probing = false;
    await probe;
    parked?.close();
    // The API first (its waiters are gone), then the worker.
    for (const running of processes.reverse()) await running.stop();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    connection.disconnect();
  }
}

/** Adds `count` sentiment jobs with the catalog's options (as the API would), returning their ids. */
async function addJobs(queue: Queue, count: number): Promise<string[]> {
  const opts = jobOptionsFor(catalog.sentiment);
  const ids: string[] = [];
  for (let start = 0; start < count; start += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, count - start) }, (_, i) => ({ name: 'sentiment', data: { text: `${TEXT} #${start + i}` }, opts }));
    ids.push(...(await queue.addBulk(batch)).map((job) => String(job.id)));
  }
  return ids;
}

function summarize(answers: WaiterAnswer[]) {
  const statuses = new Map<number, number>();
  const stale = new Map<string, number>();
  const errors = new Map<string, number>();
  const wake: number[] = [];
  let ok = 0;
  const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const answer of answers) {
    bump(statuses, answer.status);
    if (answer.status === 0) {
      bump(errors, answer.error ?? 'unknown error');
      continue;
    }
    if (answer.status !== 200) continue;
    if (isValidCompleted(answer)) {
      ok++;
      if (answer.finishedAt !== undefined) wake.push(answer.answeredAt - answer.finishedAt);
    } else {
      bump(stale, answer.state ?? 'no state');
    }
  }
  return { ok, statuses, stale, errors, wakeP50: percentile(wake, 50), wakeP99: percentile(wake, 99) };
}

function isValidCompleted(answer: WaiterAnswer): boolean {
  return answer.state === 'completed' && catalog.sentiment.result.safeParse(answer.result).success;
}

function describeAnswers(m: Measured): string {
  const parts = [`responses ${[...m.statuses].map(([status, n]) => `${n}× ${status === 0 ? 'no answer' : status}`).join(', ')}`];
  if (m.stale.size > 0) {
    parts.push(
      `200 but not completed: ${[...m.stale].map(([state, n]) => `${n}× ${state}`).join(', ')} ` +
        `(those jobs after the run: ${[...m.staleNow].map(([state, n]) => `${n}× ${state === 'unknown' ? 'deleted by retention' : state}`).join(', ')})`,
    );
  }
  if (m.errors.size > 0) parts.push(`errors: ${[...m.errors].map(([error, n]) => `${n}× ${error}`).join(', ')}`);
  if (m.early > 0) parts.push(`${m.early} answered before any job ran`);
  if (!m.settled) parts.push('the API was still busy 15 s after the last request was sent');
  return parts.join('; ');
}

async function connectedClients(redis: Redis): Promise<number> {
  return Number(/^connected_clients:(\d+)/m.exec(await redis.info('clients'))?.[1] ?? Number.NaN);
}

function heapUsed(metrics: string): number {
  return metricValue(metrics, 'nodejs_heap_size_used_bytes') ?? Number.NaN;
}

function mb(bytes: number): number {
  return round(bytes / 2 ** 20);
}
