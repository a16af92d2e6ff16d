import { activeSpan, recordFailure, SpanAttributes } from '@floodgate/shared/tracing';
import type { JobProcessor } from './run-job';

/** `job_timeout` from `job_timeout: the attempt took…`; undefined for an error without a code. */
const ERROR_CODE = /^([a-z][a-z0-9_]{1,40}):/;

/**
 * Puts the job's id, type, attempt and outcome on the span BullMQ opened for
 * this attempt (`process <queue>`, a child of the API's `add` span, whose
 * context the job carried). Installed only while tracing is on.
 */
export function tracedProcessor<R>(type: string, processor: JobProcessor<R>): JobProcessor<R> {
  return async (job, token) => {
    const span = activeSpan();
    if (!span) return processor(job, token);
    const attempt = job.attemptsMade + 1;
    span.setAttributes({ [SpanAttributes.jobId]: job.id ?? 'unknown', [SpanAttributes.jobType]: type, [SpanAttributes.jobAttempt]: attempt });
    try {
      const result = await processor(job, token);
      span.setAttribute(SpanAttributes.jobOutcome, 'completed');
      return result;
    } catch (err) {
      // As BullMQ decides: an UnrecoverableError, or the last allowed attempt, is the end.
      const final = (err as Error | undefined)?.name === 'UnrecoverableError' || attempt >= (job.opts.attempts ?? 1);
      span.setAttribute(SpanAttributes.jobOutcome, final ? 'failed' : 'retrying');
      const code = err instanceof Error ? ERROR_CODE.exec(err.message)?.[1] : undefined;
      if (code) span.setAttribute(SpanAttributes.jobErrorCode, code);
      recordFailure(span, err);
      throw err;
    }
  };
}
