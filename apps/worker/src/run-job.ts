import { attemptTimeoutOf, type JobDefinition } from '@floodgate/shared/jobs';
import type { Logger } from '@floodgate/shared/logger';
import type { Job } from 'bullmq';
import type { z } from 'zod';
import { runWithinDeadline, type AttemptSignal } from './attempt-deadline';
import type { JobContext, JobHandler } from './define-handler';
import { permanentFailure } from './job-errors';
import { handBack, isHandedBack } from './shutdown/hand-back';

export interface CreateProcessorOptions<P extends z.ZodType, R extends z.ZodType> {
  /** The job type's catalog entry: schemas and `timeoutMs` (the cap of a job's own `timeoutMs`). */
  definition: JobDefinition<P, R>;
  handler: JobHandler<z.output<P>, z.output<R>>;
  logger: Logger;
}

/** A BullMQ processor. It declares three parameters: BullMQ passes the cancel signal only to those that do. */
export type JobProcessor<R> = (job: Job, token: string | undefined, cancelSignal: AbortSignal | undefined) => Promise<R>;

/**
 * Builds the BullMQ processor of one job type: re-validates the payload (the
 * API already did, but anyone with Redis access can add a job), runs the
 * handler within the type's time limit, and checks the result against the
 * catalog so nothing off-contract reaches clients.
 */
export function createProcessor<P extends z.ZodType, R extends z.ZodType>(
  options: CreateProcessorOptions<P, R>,
): JobProcessor<z.output<R>> {
  const { definition, handler } = options;
  return async (job, token, cancelSignal) => {
    const startedAt = Date.now();
    let ctx: AttemptContext | undefined;
    try {
      const payload = definition.payload.safeParse(job.data);
      if (!payload.success) throw permanentFailure('invalid_payload', describeIssues(payload.error.issues));
      const output = await runWithinDeadline({ timeoutMs: attemptTimeoutOf(definition, job.opts), cancelSignal }, (deadline) => {
        ctx = new AttemptContext(job, deadline, options.logger, definition.type);
        // Debug, not info: under a flood, a line per job multiplies the log volume for
        // little news; metrics count every job. Failures are logged at warn.
        if (options.logger.isLevelEnabled('debug')) ctx.logger.debug('job started');
        return handler.run(payload.data, ctx);
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
      if (isHandedBack(cancelSignal)) throw await handBack(job, token, options.logger);
      (ctx ?? new AttemptContext(job, undefined, options.logger, definition.type)).logger.warn(
        { err, durationMs: Date.now() - startedAt },
        'job attempt failed',
      );
      throw err;
    }
  };
}

/**
 * The `ctx` a handler gets. A class rather than an object literal with getters:
 * it is built for every job, and V8 makes class instances much faster than
 * literals with accessors. The signal and the child logger are made lazily,
 * on first use: each costs more than a no-op job itself.
 */
class AttemptContext implements JobContext {
  readonly attempt: number;
  readonly jobId: string;
  private childLogger: Logger | undefined;

  constructor(
    private readonly job: Job,
    private readonly deadline: AttemptSignal | undefined,
    private readonly parentLogger: Logger,
    private readonly type: string,
  ) {
    this.attempt = job.attemptsMade + 1;
    this.jobId = job.id ?? 'unknown';
  }

  get signal(): AbortSignal {
    return this.deadline?.signal ?? AbortSignal.abort();
  }

  get logger(): Logger {
    this.childLogger ??= this.parentLogger.child({ jobId: this.jobId, type: this.type, attempt: this.attempt });
    return this.childLogger;
  }

  // Arrow fields, so `const { progress } = ctx` keeps working.
  readonly progress = (value: number | object): Promise<void> => this.job.updateProgress(value);

  readonly log = async (line: string): Promise<void> => {
    await this.job.log(line);
  };
}

/** `path: message; path: message`, short enough for Bull Board's failed-reason column. */
function describeIssues(issues: z.ZodError['issues']): string {
  return issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; ');
}
