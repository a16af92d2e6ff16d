import { readTenantReports, type TenantReport } from '@floodgate/shared/fairness';
import { jobTypes, type JobType } from '@floodgate/shared/jobs';
import {
  DEPTH_STATES,
  depthCounts,
  fields,
  LATENCY_BINS_MS,
  quantileOfBins,
  readWindow,
  rememberWorkers,
  type DepthState,
  type Latency,
  type WindowName,
  type WindowSeries,
} from '@floodgate/shared/overview';
import { listProxyStatuses, type ProxyStatus } from '@floodgate/shared/proxies';
import { WorkerHeartbeat, workerListOf } from '@floodgate/shared/workers';
import type { RedisClient } from '@floodgate/shared/redis';
import type { DashboardQueues } from '../queues';

type Series = Array<number | null>;

/** p50 and p95 over the window, in ms (null without observations). */
export interface Quantiles {
  p50: number | null;
  p95: number | null;
}

export interface TypeOverview {
  type: JobType;
  paused: boolean;
  /** Now, straight from the queue. */
  counts: Record<DepthState, number>;
  /** Per bucket, per second. */
  completedPerSec: number[];
  failedPerSec: number[];
  /** Per bucket, as last sampled in it (null: nobody sampled it). */
  depth: Record<DepthState, Series>;
  processing: Quantiles;
  pickup: Quantiles;
  /** The busiest tenants now (backlog, running, wait to start), at most {@link OVERVIEW_TENANTS}. */
  tenants: TenantReport[];
}

/** Tenants per type the overview shows: the busiest, where an operator looks first. */
export const OVERVIEW_TENANTS = 5;

/** A worker process: alive while its heartbeat lives; gone (last beat kept) once it stopped beating. */
export type WorkerView = WorkerHeartbeat & { alive: boolean };

/** Everything the overview page draws, for one window. */
export interface OverviewData {
  window: WindowName;
  bucketMs: number;
  /** Bucket starts, in seconds (uPlot's x). */
  times: number[];
  types: TypeOverview[];
  /** Refusals per second, by reason. */
  refusals: Record<string, number[]>;
  /** Per Redis primary: used and max bytes per bucket. */
  memory: Array<{ node: string; used: Series; max: Series }>;
  workers: WorkerView[];
  proxies: ProxyStatus[];
  /** The processes whose figures the window holds. */
  sources: WindowSeries['sources'];
}

/**
 * Reads one window of history plus what is live now (counts, pauses, heartbeats, proxies).
 * The live workers come from the process's shared listing (at most a second old, one SCAN
 * however many pages poll), within its deadline: a stalled Redis fails the poll, it does not hang it.
 */
export async function readOverview(redis: RedisClient, prefix: string, queues: DashboardQueues, window: WindowName): Promise<OverviewData> {
  const [series, liveBeats, proxies] = await Promise.all([readWindow(redis, prefix, window), workerListOf(redis, prefix).list(), listProxyStatuses(redis, prefix)]);
  const seconds = series.bucketMs / 1_000;
  const column = (field: string) => series.buckets.map((bucket) => bucket[field] ?? 0);
  const gauge = (field: string): Series => series.buckets.map((bucket) => bucket[field] ?? null);
  const perSec = (field: string) => column(field).map((n) => round(n / seconds));
  const quantiles = (type: string, latency: Latency): Quantiles => {
    const bins = Array.from({ length: LATENCY_BINS_MS.length + 1 }, (_, bin) => column(fields.latencyBin(type, latency, bin)).reduce((a, b) => a + b, 0));
    const at = (q: number) => {
      const value = quantileOfBins(bins, q);
      return value === undefined ? null : round(value);
    };
    return { p50: at(0.5), p95: at(0.95) };
  };

  const types = await Promise.all(
    jobTypes.map(async (type): Promise<TypeOverview> => {
      const queue = queues[type];
      const [paused, counts, busiest] = await Promise.all([
        queue.isPaused(),
        depthCounts(queue),
        readTenantReports(redis, queue.partitions, { offset: 0, limit: OVERVIEW_TENANTS }),
      ]);
      return {
        type,
        paused,
        counts,
        completedPerSec: perSec(fields.finished(type, 'completed')),
        failedPerSec: perSec(fields.finished(type, 'failed')),
        depth: Object.fromEntries(DEPTH_STATES.map((state) => [state, gauge(fields.depth(type, state))])) as Record<DepthState, Series>,
        processing: quantiles(type, 'processing'),
        pickup: quantiles(type, 'pickup'),
        tenants: busiest.tenants,
      };
    }),
  );

  const refusals: Record<string, number[]> = {};
  const nodes = new Set<string>();
  for (const bucket of series.buckets) {
    for (const field of Object.keys(bucket)) {
      if (field.startsWith('c:refused:')) refusals[field.slice('c:refused:'.length)] ??= [];
      const memory = /^g:mem:(.+):(used|max)$/.exec(field);
      if (memory?.[1]) nodes.add(memory[1]);
    }
  }
  for (const reason of Object.keys(refusals)) refusals[reason] = perSec(fields.refused(reason));

  return {
    window: series.window,
    bucketMs: series.bucketMs,
    times: series.times.map((t) => t / 1_000),
    types,
    refusals,
    memory: [...nodes].sort().map((node) => ({ node, used: gauge(fields.memory(node, 'used')), max: gauge(fields.memory(node, 'max')) })),
    workers: await workerViews(redis, prefix, liveBeats),
    proxies,
    sources: series.sources,
  };
}

/** Live workers, then the gone ones (seen within the last hour, no heartbeat now), each by id. */
async function workerViews(redis: RedisClient, prefix: string, live: WorkerHeartbeat[]): Promise<WorkerView[]> {
  const seen = await rememberWorkers(redis, prefix, live);
  const liveIds = new Set(live.map((beat) => beat.id));
  const gone: WorkerView[] = [];
  for (const [id, json] of seen) {
    if (liveIds.has(id)) continue;
    const parsed = WorkerHeartbeat.safeParse(safeJson(json));
    if (parsed.success) gone.push({ ...parsed.data, alive: false });
  }
  return [...live.map((beat) => ({ ...beat, alive: true })), ...gone.sort((a, b) => a.id.localeCompare(b.id))];
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
