import { CANCELLED_BY_REQUEST } from '@floodgate/shared/jobs';
import { permanentFailure, transientFailure } from './job-errors';
import type { RunningAttempts } from './running-attempts';

export interface AttemptDeadlineOptions {
  /** Time the attempt may take, in milliseconds. */
  timeoutMs: number;
  /**
   * Where the attempt registers under `jobId`, so a cancel request or a shutdown
   * past its grace can stop it.
   * @defaultValue not cancellable (only the timeout stops it)
   */
  cancels?: RunningAttempts | undefined;
  jobId?: string | undefined;
}

/** The reason each cancel error was made for (an error is not ours to add fields to). */
const cancelReasons = new WeakMap<Error, unknown>();

/** The reason given to `cancelJob`/`cancelAllJobs` when `err` is the error a cancel failed an attempt with. */
export function cancelReasonOf(err: unknown): unknown {
  return err instanceof Error ? cancelReasons.get(err) : undefined;
}

/** The attempt's abort signal, made only when someone asks for it. */
export interface AttemptSignal {
  readonly signal: AbortSignal;
}

/**
 * Runs `work` with a signal that aborts on timeout or cancellation, and settles
 * as soon as either happens, whether or not `work` honours the signal: a
 * handler stuck on something that ignores the signal must not hold the job
 * (and its concurrency slot) forever.
 *
 * The AbortController is created lazily, on the first read of `signal`:
 * creating one costs more than a no-op job's whole run in Node 20, and most
 * fast handlers never look at it.
 */
export function runWithinDeadline<R>(options: AttemptDeadlineOptions, work: (attempt: AttemptSignal) => Promise<R>): Promise<R> {
  let controller: AbortController | undefined;
  let abortedWith: Error | undefined;
  const attempt: AttemptSignal = {
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (abortedWith) controller.abort(abortedWith);
      }
      return controller.signal;
    },
  };
  return new Promise<R>((resolve, reject) => {
    let settled = false;
    let untrack: (() => void) | undefined;
    const finish = () => {
      settled = true;
      clearTimeout(timer);
      untrack?.();
    };
    const stop = (error: Error) => {
      if (settled) return;
      finish();
      abortedWith = error;
      controller?.abort(error);
      reject(error);
    };
    const onCancel = (reason: unknown) => {
      const error =
        reason === CANCELLED_BY_REQUEST
          ? // Someone asked for it to stop: it must not come back as a retry.
            permanentFailure('cancelled', 'the job was cancelled by a request')
          : transientFailure('job_cancelled', `worker cancelled the attempt (${String(reason ?? 'shutdown')})`);
      cancelReasons.set(error, reason);
      stop(error);
    };
    const timer = setTimeout(() => stop(transientFailure('job_timeout', `attempt exceeded ${options.timeoutMs} ms`)), options.timeoutMs);
    if (options.cancels && options.jobId !== undefined) untrack = options.cancels.track(options.jobId, onCancel);
    // After a timeout the handler may still settle; its outcome is ignored (the promise already rejected).
    let work$: Promise<R>;
    try {
      work$ = work(attempt);
    } catch (err) {
      finish();
      reject(err);
      return;
    }
    work$.then(
      (value) => {
        if (settled) return;
        finish();
        resolve(value);
      },
      (err: unknown) => {
        if (settled) return;
        finish();
        reject(err);
      },
    );
  });
}
