import type { JobDefinition } from '@floodgate/shared/jobs';
import type { z } from 'zod';
import type { BatchContext, BatchItem, BatchOutcome, JobContext, JobHandler } from './running/define-handler';
import type { Handlers } from './handlers';
import { applyEnv, type EnvInput } from '@floodgate/shared/env';

export type { BatchContext, BatchItem, BatchOutcome, JobContext, JobHandler, WebPage } from './running/define-handler';

export interface StartWorkerOptions {
  /** Your job types (`defineJob` from `@floodgate/core`): the same list your API is given. */
  jobs: readonly JobDefinition[];
  /** One handler per job type, made with {@link handle} or {@link handleBatch}. */
  handlers: readonly JobHandler[];
  /**
   * Settings, as the environment variables of the same names (`REDIS_URL`,
   * `QUEUE_PREFIX`, `WORKER_CONCURRENCY`, …): these win over the process's
   * own environment. @defaultValue the process's environment only
   */
  env?: EnvInput;
}

/**
 * Runs a floodgate worker process for your own job types: one BullMQ Worker
 * per type (and partition), bounded concurrency, time limits, retries, drain on
 * SIGINT/SIGTERM, metrics, heartbeat, then `ready` for pm2's `wait_ready`.
 * Resolves once it is ready. Call it once per process, from the script your
 * pm2 ecosystem file starts (one process per core, `exec_mode: 'cluster'`).
 */
export async function startWorker(options: StartWorkerOptions): Promise<void> {
  applyEnv(options.env);
  // The catalog first: the rest of the worker reads it as it loads.
  const { useJobs, jobTypes } = await import('@floodgate/shared/jobs');
  useJobs(options.jobs);
  const handlers = handlersByType(options.handlers, jobTypes);
  const { runWorkerProcess } = await import('./worker-process.js');
  await runWorkerProcess({ handlers });
}

/** Your handlers keyed by type, checked to be exactly one per job type. */
function handlersByType(handlers: readonly JobHandler[], types: readonly string[]): Handlers {
  const byType = new Map<string, JobHandler>();
  for (const handler of handlers) {
    if (byType.has(handler.type)) throw new Error(`two handlers for job type "${handler.type}"`);
    if (!types.includes(handler.type)) throw new Error(`a handler for "${handler.type}", which is not one of the job types given (${types.join(', ')})`);
    byType.set(handler.type, handler);
  }
  const missing = types.filter((type) => !byType.has(type));
  if (missing.length > 0) throw new Error(`no handler for job type${missing.length > 1 ? 's' : ''} ${missing.map((type) => `"${type}"`).join(', ')}`);
  return Object.fromEntries(byType) as unknown as Handlers;
}

/**
 * The handler of one of your job types: `run` gets the payload, already
 * validated against the definition's schema, and returns the result (checked
 * against its result schema). Throw to fail the attempt; `ctx.signal` aborts
 * on timeout, cancel or shutdown.
 */
export function handle<P extends z.ZodType, R extends z.ZodType>(
  job: JobDefinition<P, R>,
  run: (payload: z.output<P>, ctx: JobContext) => Promise<z.input<R>>,
  extras: { close?: () => Promise<void> } = {},
): JobHandler<z.output<P>, z.input<R>> {
  return Object.freeze({ type: job.type, run, ...extras });
}

/**
 * The handler of a type with a `batch` policy: gets up to `batch.size` jobs at
 * once and returns one outcome per job, in order (see the job types docs).
 */
export function handleBatch<P extends z.ZodType, R extends z.ZodType>(
  job: JobDefinition<P, R>,
  runBatch: (items: ReadonlyArray<BatchItem<z.output<P>>>, batch: BatchContext) => Promise<ReadonlyArray<BatchOutcome<z.input<R>>>>,
  extras: { close?: () => Promise<void> } = {},
): JobHandler<z.output<P>, z.input<R>> {
  const run = async (payload: z.output<P>, ctx: JobContext): Promise<z.input<R>> => {
    const [outcome] = await runBatch([{ data: payload, ctx }], { signal: ctx.signal });
    if (!outcome) throw new Error(`the ${job.type} batch handler returned no outcome for its one job`);
    if (!outcome.ok) throw outcome.error;
    return outcome.result;
  };
  return Object.freeze({ type: job.type, run, runBatch, ...extras });
}
