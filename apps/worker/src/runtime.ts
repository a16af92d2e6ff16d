/**
 * The worker runtime as a library, for tools that run floodgate's job pipeline
 * outside the worker process (the benchmark). `index.ts` is the process.
 */
export { createJobWorker, startWorkers, type CreateJobWorkerOptions, type RunningWorkers } from './start-workers';
export { createWorkerMetrics, type WorkerMetrics } from './metrics/worker-metrics';
export {
  defineBatchHandler,
  defineHandler,
  type BatchContext,
  type BatchItem,
  type BatchOutcome,
  type JobContext,
  type JobHandler,
} from './define-handler';
export { createCpuPool, type CpuPool } from './cpu-pool/cpu-pool';
export { createSentimentHandler } from './handlers/sentiment';
export type { Handlers } from './handlers';
export { listenForCancels } from './cancel-listener';
