import { transientFailure } from './job-errors';

export interface AttemptDeadlineOptions {
  /** Time the attempt may take, in milliseconds. */
  timeoutMs: number;
  /** Aborted by BullMQ when the worker cancels its jobs (a shutdown past its grace). */
  cancelSignal?: AbortSignal | undefined;
}

/**
 * Runs `work` with a signal that aborts on timeout or cancellation, and settles
 * as soon as either happens, whether or not `work` honours the signal: a
 * handler stuck on something that ignores the signal must not hold the job
 * (and its concurrency slot) forever.
 */
export function runWithinDeadline<R>(options: AttemptDeadlineOptions, work: (signal: AbortSignal) => Promise<R>): Promise<R> {
  const controller = new AbortController();
  return new Promise<R>((resolve, reject) => {
    const stop = (error: Error) => {
      controller.abort(error);
      reject(error);
    };
    const onCancel = () =>
      stop(transientFailure('job_cancelled', `worker cancelled the attempt (${String(options.cancelSignal?.reason ?? 'shutdown')})`));
    const timer = setTimeout(
      () => stop(transientFailure('job_timeout', `attempt exceeded ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    const cleanUp = () => {
      clearTimeout(timer);
      options.cancelSignal?.removeEventListener('abort', onCancel);
    };
    if (options.cancelSignal?.aborted) {
      cleanUp();
      onCancel();
      return;
    }
    options.cancelSignal?.addEventListener('abort', onCancel, { once: true });
    // After a timeout the handler may still settle; its outcome is ignored (the promise already rejected).
    Promise.resolve()
      .then(() => work(controller.signal))
      .then(resolve, reject)
      .finally(cleanUp);
  });
}
