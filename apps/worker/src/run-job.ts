import type { JobDefinition } from '@floodgate/shared/jobs';
import type { Logger } from '@floodgate/shared/logger';
import type { Job } from 'bullmq';
import type { z } from 'zod';
import { runWithinDeadline } from './attempt-deadline';
import type { JobContext, JobHandler } from './define-handler';
import { permanentFailure } from './job-errors';

export interface CreateProcessorOptions<P extends z.ZodType, R extends z.ZodType> {
  /** The job type's catalog entry: schemas and `timeoutMs`. */
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
  return async (job, _token, cancelSignal) => {
    const attempt = job.attemptsMade + 1;
    const jobId = job.id ?? 'unknown';
    const logger = options.logger.child({ jobId, type: definition.type, attempt });
    const startedAt = Date.now();
    try {
      const payload = definition.payload.safeParse(job.data);
      if (!payload.success) throw permanentFailure('invalid_payload', describeIssues(payload.error.issues));
      // Debug, not info: under a flood, a line per start doubles the log volume for little news.
      logger.debug('job started');
      const output = await runWithinDeadline({ timeoutMs: definition.timeoutMs, cancelSignal }, (signal) => {
        const ctx: JobContext = {
          signal,
          progress: (value) => job.updateProgress(value),
          log: async (line) => void (await job.log(line)),
          attempt,
          jobId,
          logger,
        };
        return handler.run(payload.data, ctx);
      });
      const result = definition.result.safeParse(output);
      if (!result.success) throw permanentFailure('invalid_result', describeIssues(result.error.issues));
      logger.info({ durationMs: Date.now() - startedAt }, 'job completed');
      return result.data;
    } catch (err) {
      logger.warn({ err, durationMs: Date.now() - startedAt }, 'job attempt failed');
      throw err;
    }
  };
}

/** `path: message; path: message`, short enough for Bull Board's failed-reason column. */
function describeIssues(issues: z.ZodError['issues']): string {
  return issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; ');
}
