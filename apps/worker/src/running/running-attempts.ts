import { Worker, type Processor, type WorkerOptions } from 'bullmq';

/**
 * The attempts one worker is running, by job id, each with what stops it.
 * How a cancel reaches an attempt without BullMQ's AbortController per job: BullMQ makes one (and floodgate listened to it) for every job of a
 * processor that takes a signal, which cost a no-op job about a quarter of its
 * run. A map entry per attempt costs next to nothing.
 */
export class RunningAttempts {
  private readonly running = new Map<string, StoppableAttempt>();

  /** Registers a running attempt under its job's id. */
  track(jobId: string, attempt: StoppableAttempt): void {
    this.running.set(jobId, attempt);
  }

  /** Unregisters `attempt`, once it has ended. */
  untrack(jobId: string, attempt: StoppableAttempt): void {
    // A later attempt of the same job (after a stall) may have replaced this one.
    if (this.running.get(jobId) === attempt) this.running.delete(jobId);
  }

  /** Stops the attempt of `jobId` if this worker runs it; whether it did. */
  cancel(jobId: string, reason: unknown): boolean {
    const attempt = this.running.get(jobId);
    attempt?.stopFor(reason);
    return attempt !== undefined;
  }

  cancelAll(reason: unknown): void {
    for (const attempt of [...this.running.values()]) attempt.stopFor(reason);
  }
}

/** What a cancel reaches: an object, not a closure per attempt (this runs for every job). */
export interface StoppableAttempt {
  stopFor(reason: unknown): void;
}

/**
 * A BullMQ Worker whose `cancelJob` and `cancelAllJobs` stop floodgate's own
 * attempts (see {@link RunningAttempts}), so the cancel listener and the drain
 * use BullMQ's API unchanged.
 */
export class CancellableWorker extends Worker {
  constructor(
    name: string,
    processor: Processor,
    options: WorkerOptions,
    /** The attempts its processor registers (the same instance given to `createProcessor`). */
    readonly attempts: RunningAttempts,
  ) {
    super(name, processor, options);
  }

  override cancelJob(jobId: string, reason?: string): boolean {
    const ours = this.attempts.cancel(jobId, reason);
    return super.cancelJob(jobId, reason) || ours;
  }

  override cancelAllJobs(reason?: string): void {
    this.attempts.cancelAll(reason);
    super.cancelAllJobs(reason);
  }
}
