import { attemptTimeoutOf, type JobDefinition } from '@floodgate/shared/jobs';
import type { Logger } from '@floodgate/shared/logger';
import type { Job } from 'bullmq';
import type { z } from 'zod';
import { cancelReasonOf, runWithinDeadline, type AttemptSignal } from './attempt-deadline';
import { createBatchCollector } from './batch-collector';
import type { JobContext, JobHandler, StopNotifyingContext, WebPage } from './define-handler';
import { permanentFailure } from './job-errors';
import type { RunningAttempts } from './running-attempts';
import { handBack, HAND_BACK_REASON } from '../shutdown/hand-back';
import type { PageFetcher } from '../page-fetch/page-fetcher';

export interface CreateProcessorOptions<P extends z.ZodType, R extends z.ZodType> {
  /** The job type's catalog entry: schemas and `timeoutMs` (the cap of a job's own `timeoutMs`). */
  definition: JobDefinition<P, R>;
  handler: JobHandler<z.output<P>, z.output<R>>;
  logger: Logger;
  /**
   * Most jobs per handler call, for a type with a catalog `batch` policy and a
   * handler with `runBatch`; the worker passes its concurrency when that is lower
   * (read as each batch fills: a partition's share of it changes when partitions are added).
   * @defaultValue the catalog's `batch.size`
   */
  batchSize?: () => number;
  /**
   * Where each attempt registers so `worker.cancelJob`/`cancelAllJobs` can stop it
   * (the worker's own, see {@link CancellableWorker}).
   * @defaultValue none: attempts stop only on their timeout
   */
  attempts?: RunningAttempts;
  /** What `ctx.fetchPage` goes through, for a type with `fetchesPages`. @defaultValue none: `ctx.fetchPage` rejects */
  pageFetcher?: PageFetcher | undefined;
}

/**
 * A BullMQ processor. Two parameters on purpose: BullMQ makes an AbortController
 * for every job of a processor that declares a third; cancels come through
 * {@link RunningAttempts} instead.
 */
export type JobProcessor<R> = (job: Job, token: string | undefined) => Promise<R>;

/**
 * Builds the BullMQ processor of one job type: re-validates the payload (the
 * API already did, but anyone with Redis access can add a job), runs the
 * handler within the type's time limit, and checks the result against the
 * catalog so nothing off-contract reaches clients.
 */
export function createProcessor<P extends z.ZodType, R extends z.ZodType>(
  options: CreateProcessorOptions<P, R>,
): JobProcessor<z.output<R>> {
  const { definition } = options;
  const run = handlerCall(options);
  const fetchPage = pageFetchOf(definition, options.pageFetcher);
  return async (job, token) => {
    const startedAt = Date.now();
    let ctx: AttemptContext | undefined;
    try {
      const payload = definition.payload.safeParse(job.data);
      if (!payload.success) throw permanentFailure('invalid_payload', describeIssues(payload.error.issues));
      const output = await runWithinDeadline({ timeoutMs: attemptTimeoutOf(definition, job.opts), cancels: options.attempts, jobId: job.id }, (deadline) => {
        ctx = new AttemptContext(job, deadline, options.logger, definition.type, fetchPage);
        // Debug, not info: under a flood, a line per job multiplies the log volume for
        // little news; metrics count every job. Failures are logged at warn.
        if (options.logger.isLevelEnabled('debug')) ctx.logger.debug('job started');
        return run(payload.data, ctx);
      });
      const result = definition.result.safeParse(output);
      if (!result.success) throw permanentFailure('invalid_result', describeIssues(result.error.issues));
      // Every retained copy of a result lives in Redis: cap it rather than let one
      // type's results crowd out everyone's jobs.
      const bytes = Buffer.byteLength(JSON.stringify(result.data) ?? '');
      if (bytes > definition.maxResultBytes) {
        throw permanentFailure('result_too_large', `the result is ${bytes} bytes of JSON, above the ${definition.maxResultBytes}-byte cap of ${definition.type}`);
      }
      if (ctx && options.logger.isLevelEnabled('debug')) ctx.logger.debug({ durationMs: Date.now() - startedAt }, 'job completed');
      return result.data;
    } catch (err) {
      // A shutdown past its grace: not this attempt's failure, the job goes back to wait.
      if (cancelReasonOf(err) === HAND_BACK_REASON) throw await handBack(job, token, options.logger);
      (ctx ?? new AttemptContext(job, undefined, options.logger, definition.type, fetchPage)).logger.warn(
        { err, durationMs: Date.now() - startedAt },
        'job attempt failed',
      );
      throw err;
    }
  };
}

/**
 * How the processor calls the handler: one job at a time, or, for a batch type,
 * through a collector that hands the handler the jobs this worker holds together.
 * Each job keeps its own deadline and cancel around that call, so one job's
 * timeout or cancel fails that job only.
 */
function handlerCall<P extends z.ZodType, R extends z.ZodType>(
  options: CreateProcessorOptions<P, R>,
): (data: z.output<P>, ctx: JobContext) => Promise<z.output<R>> {
  const { definition, handler } = options;
  const { batch } = definition;
  if (!batch || !handler.runBatch) return (data, ctx) => handler.run(data, ctx);
  const collector = createBatchCollector({
    size: () => Math.max(1, Math.min(options.batchSize?.() ?? batch.size, batch.size)),
    maxWaitMs: batch.maxWaitMs,
    runBatch: handler.runBatch.bind(handler),
  });
  return (data, ctx) => collector.submit(data, ctx);
}

type PageFetch = (url: string, options: { sticky?: string | undefined }, ctx: JobContext) => Promise<WebPage>;

/** `ctx.fetchPage` of a type's jobs: through the worker's page fetcher when the definition sets `fetchesPages`. */
function pageFetchOf(definition: JobDefinition, fetcher: PageFetcher | undefined): PageFetch {
  const refuse = (why: string) => () => Promise.reject(new Error(`ctx.fetchPage: job type "${definition.type}" ${why}`));
  if (!definition.fetchesPages) return refuse('does not fetch pages: set fetchesPages: true in its job definition (defineJob)');
  if (!fetcher) return refuse('sets fetchesPages, but this worker was given no pageFetcher');
  return (url, { sticky }, ctx) => fetcher.fetch(url, { sticky, ctx });
}

/**
 * The `ctx` a handler gets. A class rather than an object literal with getters:
 * it is built for every job, and V8 makes class instances much faster than
 * literals with accessors. The signal, the child logger, `progress`, `log` and
 * `fetchPage` are made lazily, on first use: most fast handlers never touch them.
 */
class AttemptContext implements StopNotifyingContext {
  readonly attempt: number;
  readonly jobId: string;
  private childLogger: Logger | undefined;
  private progressFn: ((value: number | object) => Promise<void>) | undefined;
  private logFn: ((line: string) => Promise<void>) | undefined;
  private fetchPageFn: JobContext['fetchPage'] | undefined;

  constructor(
    private readonly job: Job,
    private readonly deadline: AttemptSignal | undefined,
    private readonly parentLogger: Logger,
    private readonly type: string,
    private readonly pageFetch: PageFetch,
  ) {
    this.attempt = job.attemptsMade + 1;
    this.jobId = job.id ?? 'unknown';
  }

  get signal(): AbortSignal {
    return this.deadline?.signal ?? AbortSignal.abort();
  }

  get stopped(): boolean {
    return this.deadline?.stopped ?? true;
  }

  get runsAlone(): boolean {
    return this.job.stalledCounter > 0;
  }

  whenStopped(listener: () => void): void {
    if (this.deadline) this.deadline.onStop(listener);
    else listener();
  }

  get logger(): Logger {
    this.childLogger ??= this.parentLogger.child({ jobId: this.jobId, type: this.type, attempt: this.attempt });
    return this.childLogger;
  }

  // Functions made on first read and kept, so `const { progress } = ctx` works
  // and a job whose handler never reports progress or logs costs no closure.
  get progress(): (value: number | object) => Promise<void> {
    this.progressFn ??= (value) => this.job.updateProgress(value);
    return this.progressFn;
  }

  get log(): (line: string) => Promise<void> {
    this.logFn ??= async (line) => {
      await this.job.log(line);
    };
    return this.logFn;
  }

  get fetchPage(): JobContext['fetchPage'] {
    this.fetchPageFn ??= (url, options = {}) => this.pageFetch(url, options, this);
    return this.fetchPageFn;
  }
}

/** `path: message; path: message`, short enough for Bull Board's failed-reason column. */
function describeIssues(issues: z.ZodError['issues']): string {
  return issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; ');
}
