import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';

/**
 * Spans of floodgate's own work, through the OpenTelemetry API only (never the
 * SDK). With tracing off no context manager is registered, so there is never
 * an active span, and each helper costs one lookup before it runs its work
 * untouched.
 */

/** Names of the attributes floodgate puts on its spans. */
export const SpanAttributes = {
  jobId: 'floodgate.job.id',
  jobType: 'floodgate.job.type',
  /** 1 for the first attempt. */
  jobAttempt: 'floodgate.job.attempt',
  /** `completed`, `retrying` (this attempt failed, BullMQ will try again) or `failed` (for good). */
  jobOutcome: 'floodgate.job.outcome',
  /** The stable code a failed attempt's error starts with (`job_timeout`, …). */
  jobErrorCode: 'floodgate.job.error_code',
  requestId: 'floodgate.request_id',
} as const;

const tracer = () => trace.getTracer('floodgate');

/** The span of the work in progress; always `undefined` while tracing is off. */
export function activeSpan(): Span | undefined {
  return trace.getActiveSpan();
}

/** Marks a span as failed with `err` (its message and type; never a payload). */
export function recordFailure(span: Span, err: unknown): void {
  const error = err instanceof Error ? err : new Error(String(err));
  span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}

/**
 * Runs `work` in a child span of the active one (a handler's fetch, parse or
 * CPU task). Outside a traced job it just runs `work`; `attributes` may be a
 * function so that nothing is computed for them then.
 */
export function inSpan<T>(name: string, attributes: Attributes | (() => Attributes), work: () => T): T {
  if (trace.getActiveSpan() === undefined) return work();
  const values = typeof attributes === 'function' ? attributes() : attributes;
  return tracer().startActiveSpan(name, { attributes: values }, (span) => {
    let result: T;
    try {
      result = work();
    } catch (err) {
      recordFailure(span, err);
      span.end();
      throw err;
    }
    if (!isPromise(result)) {
      span.end();
      return result;
    }
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (err: unknown) => {
        recordFailure(span, err);
        span.end();
        throw err;
      },
    ) as T;
  });
}

/**
 * Runs `send` in a PRODUCER span (child of the active one, or a root), giving
 * it the span's context to carry along with the message. Used for the jobs
 * the API adds itself rather than through `Queue.add`, which makes its own.
 */
export async function inProducerSpan<T>(name: string, attributes: Attributes, send: (span: Span, ctx: Context) => Promise<T>): Promise<T> {
  const span = tracer().startSpan(name, { kind: SpanKind.PRODUCER, attributes });
  try {
    return await send(span, trace.setSpan(context.active(), span));
  } catch (err) {
    recordFailure(span, err);
    throw err;
  } finally {
    span.end();
  }
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
