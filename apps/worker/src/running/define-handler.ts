import type { Logger } from '@floodgate/shared/logger';
import type { JobType, PayloadOf, ResultOf } from '@floodgate/shared/jobs';
import type { FetchedPage } from '../page-fetch/fetch-page';

/** What a handler gets besides its payload. */
export interface JobContext {
  /** Aborts when the attempt times out or the worker shuts down; pass it to every fetch and check it in long loops. */
  signal: AbortSignal;
  /** Reports progress (a percentage or any JSON object), shown by the API and Bull Board. */
  progress(value: number | object): Promise<void>;
  /** Appends a line to the job's own log (BullMQ `job.log`), shown in Bull Board. */
  log(line: string): Promise<void>;
  /** Which attempt this is, 1 for the first. */
  attempt: number;
  jobId: string;
  /** Child logger carrying `jobId`, `type` and `attempt`. */
  logger: Logger;
  /**
   * Fetches an http(s) page, for a type whose definition sets `fetchesPages` (rejects for any other): SSRF-guarded,
   * size- and time-bounded (PAGE_EXTRACT_MAX_BYTES, PAGE_EXTRACT_FETCH_TIMEOUT_MS), redirects followed, through the
   * worker's proxy pool when FETCH_PROXIES is set. Fails with page-extract's codes (`forbidden_address`,
   * `fetch_timeout`, `response_too_large`, …). `sticky`: fetches with the same key leave through the same exit while it
   * stays healthy.
   */
  fetchPage(url: string, options?: { sticky?: string | undefined }): Promise<WebPage>;
}

/** A page `ctx.fetchPage` fetched. A non-2xx answer (a 404) has `kind: null` and no body; a 2xx neither HTML nor text fails (`unsupported_content_type`). */
export interface WebPage extends FetchedPage {
  /** The proxy exit that served it (`host:port`, never credentials), or null when fetched directly. */
  readonly proxy: string | null;
}

/**
 * What floodgate's own job contexts add for the batch collector: the stop of
 * the attempt without building its AbortSignal (one per job of every batch
 * cost more than the batching saved).
 */
export interface StopNotifyingContext extends JobContext {
  whenStopped(listener: () => void): void;
  /** Whether the attempt was already stopped: `signal.aborted` without building the signal. */
  readonly stopped: boolean;
  /**
   * Whether the job stalled before (a process holding it died): it runs in a
   * batch of its own, so a job that may crash its process does not take a
   * whole batch's stall budget with it again.
   */
  readonly runsAlone: boolean;
}

export function notifiesStop(ctx: JobContext): ctx is StopNotifyingContext {
  return typeof (ctx as Partial<StopNotifyingContext>).whenStopped === 'function';
}

/** Whether the attempt behind `ctx` was stopped (timed out, cancelled, handed back at a shutdown). */
export function isStopped(ctx: JobContext): boolean {
  return notifiesStop(ctx) ? ctx.stopped : ctx.signal.aborted;
}

/** One job of a batch: its validated payload and its own context (signal, progress, log). */
export interface BatchItem<P> {
  readonly data: P;
  readonly ctx: JobContext;
}

/** What a batch handler says about one of its jobs: a result, or the error that fails that job alone. */
export type BatchOutcome<R> = { readonly ok: true; readonly result: R } | { readonly ok: false; readonly error: Error };

/** What a batch handler gets besides its jobs. */
export interface BatchContext {
  /**
   * Aborts once every job of the batch has stopped waiting (each timed out, was
   * cancelled or was cut short by a shutdown): nobody wants the answer any more.
   * One job's abort does not abort the batch; check `item.ctx.signal` for that.
   */
  readonly signal: AbortSignal;
}

/** Runs one job type. The payload arrives already validated against the catalog. */
export interface JobHandler<P = unknown, R = unknown, T extends string = string> {
  readonly type: T;
  run(data: P, ctx: JobContext): Promise<R>;
  /**
   * Runs several jobs in one call (types with a catalog `batch`): one outcome per item, in order. If the whole call throws,
   * each job still waiting is run again alone, so only the job that makes it throw fails: bear being called again, as for
   * any retry.
   */
  runBatch?(items: ReadonlyArray<BatchItem<P>>, batch: BatchContext): Promise<ReadonlyArray<BatchOutcome<R>>>;
  /** Releases what the handler holds (sockets, pools); called once at shutdown. */
  close?(): Promise<void>;
}

/** The handler of catalog type `T`, typed from its payload and result schemas. */
export type CatalogHandler<T extends JobType> = JobHandler<PayloadOf<T>, ResultOf<T>, T>;

/**
 * Declares the handler of a catalog job type. The types come from the catalog,
 * so a handler that returns the wrong shape does not compile.
 */
export function defineHandler<T extends JobType>(
  type: T,
  run: (data: PayloadOf<T>, ctx: JobContext) => Promise<ResultOf<T>>,
  extras: { close?: () => Promise<void> } = {},
): CatalogHandler<T> {
  return Object.freeze({ type, run, ...extras });
}

/**
 * Declares the handler of a catalog type with a `batch` policy: it gets up to
 * `batch.size` jobs at once and answers for each. Its `run` is a batch of one,
 * so the handler also serves wherever jobs come one at a time.
 */
export function defineBatchHandler<T extends JobType>(
  type: T,
  runBatch: (items: ReadonlyArray<BatchItem<PayloadOf<T>>>, batch: BatchContext) => Promise<ReadonlyArray<BatchOutcome<ResultOf<T>>>>,
  extras: { close?: () => Promise<void> } = {},
): CatalogHandler<T> {
  const run = async (data: PayloadOf<T>, ctx: JobContext): Promise<ResultOf<T>> => {
    const [outcome] = await runBatch([{ data, ctx }], { signal: ctx.signal });
    if (!outcome) throw new Error(`the ${type} batch handler returned no outcome for its one job`);
    if (!outcome.ok) throw outcome.error;
    return outcome.result;
  };
  return Object.freeze({ type, run, runBatch, ...extras });
}
