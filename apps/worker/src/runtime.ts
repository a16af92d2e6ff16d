/**
 * The worker runtime as a library, for tools that run floodgate's job pipeline
 * outside the worker process (the benchmark, test fixture processes). `index.ts` is the process.
 */
export { createJobWorker, startWorkers, type CreateJobWorkerOptions, type RunningWorkers } from './workers/start-workers';
export { createWorkerMetrics, type WorkerMetrics } from './metrics/worker-metrics';
export {
  defineBatchHandler,
  defineHandler,
  type BatchContext,
  type BatchItem,
  type BatchOutcome,
  type JobContext,
  type JobHandler,
  type WebPage,
} from './running/define-handler';
export { closeHandlers, createHandlers, type HandlerOptions, type Handlers } from './handlers';
export { createCpuBoundHandlers } from './handlers/cpu-bound';
export { createPageFetcher, type PageFetcher, type PageFetcherOptions } from './page-fetch/page-fetcher';
export { createCpuPool, type CpuPool } from './cpu-pool/cpu-pool';
export { DEFAULT_TUNING, type WorkerTuning } from './workers/worker-tuning';
export { listenForCancels } from './running/cancel-listener';
