import { catalog, fairTypes, jobTypes, retentionOptions, type JobDefinition, type JobType } from '@floodgate/shared/jobs';
import { partitionCounts, partitionShare, queueIdentity, type PartitionCounts } from '@floodgate/shared/queues';
import type { Logger } from '@floodgate/shared/logger';
import type { OverviewRecorder } from '@floodgate/shared/overview';
import { MetricsTime, type Telemetry, type Worker } from 'bullmq';
import type { RedisClient } from '@floodgate/shared/redis';
import { hostname } from 'node:os';
import type { TenantDispatch } from '@floodgate/shared/fairness';
import { drainWorkers } from '../shutdown/drain-workers';
import { settlesWithin } from '../shutdown/settles-within';
import type { JobHandler } from '../running/define-handler';
import type { PageFetcher } from '../page-fetch/page-fetcher';
import { joinFairDispatch } from './fair-dispatch';
import type { Handlers } from '../handlers';
import { measuredProcessor, type WorkerMetrics } from '../metrics/worker-metrics';
import { recordJobFigures } from './overview-figures';
import { createProcessor, type JobProcessor } from '../running/run-job';
import { CancellableWorker, RunningAttempts } from '../running/running-attempts';
import { tracedProcessor } from '../running/traced-processor';
import { DEFAULT_TUNING, type WorkerTuning } from './worker-tuning';

export interface StartWorkersOptions {
  /**
   * A `createRedis('worker', ...)` connection (`maxRetriesPerRequest: null`).
   * BullMQ shares it for commands and duplicates it for each worker's blocking
   * wait; it does not close it, the caller does.
   */
  connection: RedisClient;
  /** BullMQ key prefix (QUEUE_PREFIX). */
  prefix: string;
  handlers: Handlers;
  logger: Logger;
  /** Where job durations and active counts go. */
  metrics: WorkerMetrics;
  /**
   * What `ctx.fetchPage` goes through for the types with `fetchesPages` (createPageFetcher). Owned by the caller, which
   * closes it after the workers. @defaultValue none: their `ctx.fetchPage` rejects
   */
  pageFetcher?: PageFetcher | undefined;
  /** Locks, stalled checks, concurrency overrides. @defaultValue {@link DEFAULT_TUNING} */
  tuning?: WorkerTuning;
  /** Where finished jobs and their timings go for the dashboard's overview. @defaultValue not recorded */
  overview?: OverviewRecorder;
  /**
   * Job types to run.
   * @defaultValue every type in the catalog
   */
  types?: readonly JobType[];
  /** BullMQ telemetry (bullmq-otel) when tracing is on: each attempt becomes a span of its job's trace. @defaultValue off */
  telemetry?: Telemetry | undefined;
  /** Whether each type is fair (QUEUE_FAIRNESS). @defaultValue the catalog's `fair` */
  fairness?: Readonly<Record<JobType, boolean>>;
  /**
   * Partition queues to consume per type: the high-water mark of QUEUE_PARTITIONS
   * (partitions a smaller count left behind still hold jobs to drain).
   * @defaultValue the catalog's `partitions`
   */
  partitions?: PartitionCounts;
  /**
   * Partitions per type that take new jobs (this process's QUEUE_PARTITIONS): they share the type's
   * concurrency and rate limit; each open partition above it drains with one slot (see `partitionShare`).
   * @defaultValue `partitions`
   */
  taking?: PartitionCounts;
}

export interface RunningWorkers {
  /** Every Worker (grows when {@link RunningWorkers.consume} opens partitions). */
  workers: Worker[];
  /** Each worker with the job type it runs and the partition it consumes (a queue's name need not be its type). */
  byType: Array<{ type: JobType; partition: number; worker: Worker }>;
  /**
   * Consumes up to `partitions` partitions per type (a higher high-water mark:
   * another process was given a larger QUEUE_PARTITIONS), spreading each
   * type's concurrency over them again. Never stops consuming a partition.
   */
  consume(partitions: PartitionCounts): void;
  /** Stops taking jobs and waits for active ones up to `graceMs`, then force-closes. */
  close(graceMs: number): Promise<void>;
}

/** Longest the fair dispatches' last settle and unregister may take at shutdown: Redis may be away. */
const DISPATCH_STOP_MS = 1_000;

/**
 * Starts one BullMQ Worker per partition queue of each job type. A type's
 * catalog concurrency (per process) is spread over its partitions, each with a
 * share of its own, so a busy partition never starves the others.
 */
export function startWorkers(options: StartWorkersOptions): RunningWorkers {
  const types = options.types ?? jobTypes;
  const counts = options.partitions ?? partitionCounts();
  const taking = options.taking ?? counts;
  const byType: RunningWorkers['byType'] = [];
  const workers: Worker[] = [];
  const dispatches: TenantDispatch[] = [];
  let closing: Promise<void> | undefined;
  const consume = (partitions: PartitionCounts) => {
    if (closing) return;
    for (const type of types) {
      const running = byType.filter((entry) => entry.type === type);
      const count = Math.max(partitions[type], running.length);
      if (count === running.length) continue;
      for (const entry of running) {
        const shares = sharesOf(catalog[type], options.tuning ?? DEFAULT_TUNING, entry.partition, taking[type], count);
        // Batches read the worker's concurrency as they fill; BullMQ reads the limiter on each move to active.
        entry.worker.concurrency = shares.concurrency;
        if (shares.limiterMax !== undefined && entry.worker.opts.limiter) entry.worker.opts.limiter.max = shares.limiterMax;
      }
      for (let partition = running.length; partition < count; partition++) {
        const { worker, dispatch } = startWorker(type, options, partition, Math.min(taking[type], count), count);
        byType.push({ type, partition, worker });
        workers.push(worker);
        dispatches.push(dispatch);
      }
    }
  };
  consume(counts);
  return {
    workers,
    byType,
    consume,
    close: (graceMs) =>
      (closing ??= (async () => {
        await drainWorkers(workers, graceMs, options.logger);
        // Before the connection closes: the last jobs' ends are settled and this process's slots leave each partition's target.
        if (!(await settlesWithin(Promise.all(dispatches.map((dispatch) => dispatch.stop())), DISPATCH_STOP_MS))) {
          options.logger.warn({}, 'fair dispatch did not stop in time; its slots expire by themselves');
        }
      })()),
  };
}

function startWorker(type: JobType, options: StartWorkersOptions, partition: number, taking: number, partitions: number): JobWorker {
  // Widened on purpose: TypeScript cannot correlate catalog[type] with handlers[type]
  // for a union `type`; catalog-drift.test.ts checks they belong together.
  const definition: JobDefinition = catalog[type];
  const handler: JobHandler = options.handlers[type];
  return openJobWorker({ ...options, definition, handler, partition, taking, partitions, fair: (options.fairness ?? fairTypes())[type] });
}

/**
 * Partition `partition`'s shares of its type's per-process concurrency
 * (WORKER_CONCURRENCY or the catalog's), worker rate limit and tenant
 * concurrency, when `taking` of the `partitions` open take new jobs.
 */
function sharesOf(
  definition: JobDefinition,
  tuning: WorkerTuning,
  partition: number,
  taking: number,
  partitions: number,
): { concurrency: number; limiterMax: number | undefined; tenantCap: number } {
  const tenantConcurrency = tuning.tenantConcurrency?.[definition.type] ?? definition.tenantConcurrency;
  const share = (total: number) => partitionShare(total, partition, taking, partitions);
  return {
    concurrency: share(tuning.concurrency[definition.type] ?? definition.concurrency),
    limiterMax: definition.workerRateLimit ? share(definition.workerRateLimit.max) : undefined,
    tenantCap: tenantConcurrency === undefined ? 0 : share(tenantConcurrency),
  };
}

export interface CreateJobWorkerOptions
  extends Pick<StartWorkersOptions, 'connection' | 'prefix' | 'logger' | 'metrics' | 'tuning' | 'telemetry' | 'overview' | 'pageFetcher'> {
  definition: JobDefinition;
  handler: JobHandler;
  /** The partition queue to consume. @defaultValue 0 (the type's own queue) */
  partition?: number;
  /** Partitions open for the type (this one among them). @defaultValue 1 */
  partitions?: number;
  /** Of those, the ones taking new jobs, which share the type's limits; the rest drain with one slot each. @defaultValue `partitions` */
  taking?: number;
  /** Whether the type is fair here (QUEUE_FAIRNESS). @defaultValue the definition's `fair` */
  fair?: boolean;
}

/**
 * One BullMQ Worker for one job definition, exactly as floodgate runs it:
 * validated, time-limited, measured, named, with retention and BullMQ metrics.
 * Exported for the benchmark, which runs a no-op definition through it.
 */
export function createJobWorker(options: CreateJobWorkerOptions): Worker {
  return openJobWorker(options).worker;
}

/** A Worker and its side of its partition's fair dispatch, which its owner stops after the Worker (see RunningWorkers.close). */
interface JobWorker {
  worker: Worker;
  dispatch: TenantDispatch;
}

function openJobWorker(options: CreateJobWorkerOptions): JobWorker {
  const { definition, handler } = options;
  const type = definition.type;
  const tuning = options.tuning ?? DEFAULT_TUNING;
  const partition = options.partition ?? 0;
  const partitions = options.partitions ?? 1;
  const taking = options.taking ?? partitions;
  const { name, prefix } = queueIdentity(type, options.prefix, partition);
  const logger = options.logger.child(partitions > 1 ? { type, partition } : { type });
  // This partition's shares of the process's concurrency for the type and of its rate limit.
  const shares = sharesOf(definition, tuning, partition, taking, partitions);
  // Where cancelJob/cancelAllJobs find the attempts (no AbortController per job).
  const attempts = new RunningAttempts();
  const measured = measuredProcessor(
    type,
    // A batch fills from the jobs this worker holds at once: never larger than its concurrency (now, see consume()).
    createProcessor({ definition, handler, logger: options.logger, batchSize: (): number => worker.concurrency, attempts, pageFetcher: options.pageFetcher }),
    options.metrics,
  );
  const processor = options.telemetry ? tracedProcessor(type, measured) : measured;
  // Set once the Worker exists (fair dispatch needs its keys): no job runs before that.
  let run: JobProcessor<unknown> = processor;
  const worker: Worker = new CancellableWorker(name, (job, token) => run(job, token), {
    connection: options.connection,
    prefix,
    // Stored on every job as `processedBy`, so the API can tell which process ran it.
    name: `${hostname()}:${process.pid}`,
    concurrency: shares.concurrency,
    lockDuration: tuning.lockDurationMs,
    stalledInterval: tuning.stalledIntervalMs,
    maxStalledCount: tuning.maxStalledCount,
    // BullMQ keeps a rate limit per queue: each partition gets its share, so the type as a whole keeps the catalog's.
    ...(definition.workerRateLimit && shares.limiterMax !== undefined
      ? { limiter: { max: shares.limiterMax, duration: definition.workerRateLimit.durationMs } }
      : {}),
    // BullMQ's per-minute completed/failed counts: Bull Board's throughput chart and
    // the API's floodgate_queue_finished_jobs_total read them.
    metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
    // Jobs added without retention (not through the API) still must not pile up in Redis.
    ...retentionOptions(definition),
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
  }, attempts);
  // Without a listener an `error` event would crash the process; BullMQ reconnects by itself.
  worker.on('error', (err) => logger.error({ err }, 'worker error'));
  // Each attempt's failure is logged by run-job; this line marks the end of the road, including
  // failures that never reached the processor (a job that stalled too often).
  worker.on('failed', (job, err) => {
    // BullMQ sets finishedOn only when the job has failed for good, not when it will retry.
    if (job?.finishedOn === undefined) return;
    logger.error({ jobId: job.id, attemptsMade: job.attemptsMade, reason: err.message }, 'job failed for good');
  });
  worker.on('stalled', (jobId) => logger.warn({ jobId }, 'job stalled, BullMQ moved it back to wait'));
  const joined = joinFairDispatch(worker, { connection: options.connection, fair: options.fair ?? definition.fair, cap: shares.tenantCap, logger });
  run = joined.adopting(processor);
  if (options.overview) recordJobFigures(worker, type, options.overview);
  const waitToStart = options.metrics.waitToStart.labels({ type });
  worker.on('active', (job) => {
    if (job.attemptsMade === 0 && job.processedOn !== undefined) waitToStart.observe(Math.max(0, job.processedOn - job.timestamp - (job.opts.delay ?? 0)) / 1_000);
  });
  return { worker, dispatch: joined.dispatch };
}
