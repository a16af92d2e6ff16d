import { CANCELLED_BY_REQUEST } from '@floodgate/shared/jobs';
import { permanentFailure, transientFailure } from './job-errors';
import type { RunningAttempts, StoppableAttempt } from './running-attempts';

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
  /**
   * Calls `listener` once the attempt is stopped (timeout, cancel, shutdown), at
   * once if it already was: what `signal` tells, without an AbortController.
   */
  onStop(listener: () => void): void;
  /** Whether the attempt was stopped (timeout, cancel, shutdown): what `signal.aborted` tells, without building it. */
  readonly stopped: boolean;
}

/**
 * Runs `work` with a signal that aborts on timeout or cancellation, and settles then whether or not `work` honours it, so
 * a stuck handler cannot hold its slot forever. The AbortController is made on the first read of `signal`: it costs
 * more than a no-op job's whole run, and most fast handlers never look.
 */
export function runWithinDeadline<R>(options: AttemptDeadlineOptions, work: (attempt: AttemptSignal) => Promise<R>): Promise<R> {
  return new DeadlineAttempt<R>(options).run(work);
}

/**
 * One attempt's deadline, cancel registration and outcome in one object. It
 * runs for every job, thousands of times a second: one instance replaces the
 * half-dozen closures a function-per-role version allocated per attempt, and
 * the timer gets the instance as its argument rather than a closure.
 */
class DeadlineAttempt<R> implements AttemptSignal, StoppableAttempt {
  private controller: AbortController | undefined;
  private abortedWith: Error | undefined;
  private stopListeners: Array<() => void> | undefined;
  private settled = false;
  private timer: NodeJS.Timeout | undefined;
  private resolve!: (value: R) => void;
  private reject!: (err: unknown) => void;

  constructor(private readonly options: AttemptDeadlineOptions) {}

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedWith) this.controller.abort(this.abortedWith);
    }
    return this.controller.signal;
  }

  get stopped(): boolean {
    return this.abortedWith !== undefined;
  }

  onStop(listener: () => void): void {
    if (this.abortedWith) listener();
    else (this.stopListeners ??= []).push(listener);
  }

  run(work: (attempt: AttemptSignal) => Promise<R>): Promise<R> {
    const outcome = new Promise<R>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.timer = setTimeout(expire, this.options.timeoutMs, this);
    const { cancels, jobId } = this.options;
    if (cancels && jobId !== undefined) cancels.track(jobId, this);
    // After a timeout the handler may still settle; its outcome is ignored (the promise already rejected).
    let work$: Promise<R>;
    try {
      work$ = work(this);
    } catch (err) {
      this.settle(err, true);
      return outcome;
    }
    work$.then(
      (value) => this.settle(value, false),
      (err: unknown) => this.settle(err, true),
    );
    return outcome;
  }

  /** A cancel request, or a shutdown past its grace (through {@link RunningAttempts}). */
  stopFor(reason: unknown): void {
    const error =
      reason === CANCELLED_BY_REQUEST
        ? // Someone asked for it to stop: it must not come back as a retry.
          permanentFailure('cancelled', 'the job was cancelled by a request')
        : transientFailure('job_cancelled', `worker cancelled the attempt (${String(reason ?? 'shutdown')})`);
    cancelReasons.set(error, reason);
    this.stop(error);
  }

  stop(error: Error): void {
    if (this.settled) return;
    this.abortedWith = error;
    this.settle(error, true);
    this.controller?.abort(error);
    const listeners = this.stopListeners;
    this.stopListeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  private settle(outcome: unknown, failed: boolean): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    const { cancels, jobId } = this.options;
    if (cancels && jobId !== undefined) cancels.untrack(jobId, this);
    if (failed) this.reject(outcome);
    else this.resolve(outcome as R);
  }
}

function expire(attempt: Pick<DeadlineAttempt<never>, 'stop' | 'timeoutMs'>): void {
  attempt.stop(transientFailure('job_timeout', `attempt exceeded ${attempt.timeoutMs} ms`));
}
