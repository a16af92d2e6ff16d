import { isStopped, notifiesStop, type BatchContext, type BatchItem, type BatchOutcome, type JobContext } from './define-handler';
import { permanentFailure } from './job-errors';

export interface BatchCollectorOptions<P, R> {
  /** Most jobs in one call, read as each batch fills (a worker's concurrency can change while it runs). */
  size(): number;
  /** Longest the first job of a batch waits for others, in milliseconds. */
  maxWaitMs: number;
  runBatch(items: ReadonlyArray<BatchItem<P>>, batch: BatchContext): Promise<ReadonlyArray<BatchOutcome<R>>>;
}

/** Gathers the jobs a worker is processing into batches; each job gets its own outcome back. */
export interface BatchCollector<P, R> {
  /** Adds one job to the batch being filled; settles with that job's outcome. */
  submit(data: P, ctx: JobContext): Promise<R>;
}

interface Pending<P, R> {
  item: BatchItem<P>;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Batches over an ordinary BullMQ Worker: BullMQ handles each job as a single one, only the handler call is shared. A
 * batch goes when full or when its first job has waited `maxWaitMs`, minus jobs whose attempt stopped meanwhile; a job
 * that stalled before goes alone (`StopNotifyingContext.runsAlone`).
 */
export function createBatchCollector<P, R>(options: BatchCollectorOptions<P, R>): BatchCollector<P, R> {
  let filling: Array<Pending<P, R>> = [];
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = filling.filter((pending) => !isStopped(pending.item.ctx));
    filling = [];
    if (batch.length > 0) void runOne(batch, options);
  };

  return {
    submit(data, ctx) {
      return new Promise<R>((resolve, reject) => {
        const pending: Pending<P, R> = { item: { data, ctx }, resolve, reject };
        if (notifiesStop(ctx) && ctx.runsAlone) return void runOne([pending], options);
        filling.push(pending);
        if (filling.length >= options.size()) flush();
        else if (filling.length === 1) timer = setTimeout(flush, options.maxWaitMs);
      });
    },
  };
}

async function runOne<P, R>(batch: Array<Pending<P, R>>, options: BatchCollectorOptions<P, R>): Promise<void> {
  let outcomes: ReadonlyArray<BatchOutcome<R>>;
  try {
    outcomes = await options.runBatch(
      batch.map((pending) => pending.item),
      new SharedBatchContext(batch.map((pending) => pending.item.ctx)),
    );
  } catch (err) {
    if (batch.length === 1) return batch[0]!.reject(err);
    // One job may have made the whole call throw: each job still waiting runs again alone, so only that one fails.
    await Promise.all(batch.map((pending) => (isStopped(pending.item.ctx) ? pending.reject(err) : runOne([pending], options))));
    return;
  }
  if (!Array.isArray(outcomes) || outcomes.length !== batch.length) {
    const got = Array.isArray(outcomes) ? `${outcomes.length} outcomes` : 'no array';
    const error = permanentFailure('invalid_result', `the batch handler returned ${got} for ${batch.length} jobs`);
    for (const pending of batch) pending.reject(error);
    return;
  }
  batch.forEach((pending, index) => {
    const outcome = outcomes[index];
    if (outcome?.ok === true) pending.resolve(outcome.result);
    else pending.reject(outcome?.ok === false ? outcome.error : permanentFailure('invalid_result', `the batch handler returned no outcome for job ${index}`));
  });
}

/**
 * The batch's signal, made on first read: a handler that never looks at it
 * costs no AbortController and no listener per job; one that does (the CPU
 * pool's, to stop its thread) gets one AbortController per batch, not per job.
 */
class SharedBatchContext implements BatchContext {
  private controller: AbortController | undefined;

  constructor(private readonly contexts: readonly JobContext[]) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      const controller = new AbortController();
      this.controller = controller;
      let waiting = this.contexts.length;
      const onAbort = () => {
        waiting -= 1;
        if (waiting === 0) controller.abort(new Error('every job of the batch stopped waiting for it'));
      };
      for (const ctx of this.contexts) {
        // floodgate's contexts tell without an AbortSignal per job; others (tests, custom) through theirs.
        if (notifiesStop(ctx)) ctx.whenStopped(onAbort);
        else if (ctx.signal.aborted) onAbort();
        else ctx.signal.addEventListener('abort', onAbort, { once: true });
      }
    }
    return this.controller.signal;
  }
}
