import type { Logger } from '@floodgate/shared/logger';
import type { JobType, PayloadOf, ResultOf } from '@floodgate/shared/jobs';

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
}

/** Runs one job type. The payload arrives already validated against the catalog. */
export interface JobHandler<P = unknown, R = unknown, T extends string = string> {
  readonly type: T;
  run(data: P, ctx: JobContext): Promise<R>;
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
