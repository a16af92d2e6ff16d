import { resolve } from 'node:path';
import { inSpan } from '@floodgate/shared/tracing';
import { Piscina } from 'piscina';
import type { CpuTask, CpuTasks, CpuTaskType } from './cpu-tasks';

export interface CpuPoolOptions {
  /** Most threads in the pool. */
  threads: number;
}

/**
 * How long an idle thread lives. Threads start with the first CPU-bound job
 * and stop after this much quiet, so a process busy only with I/O carries no
 * thread heaps (each costs tens of MB).
 */
const THREAD_IDLE_MS = 60_000;

/** Runs CPU-bound work on worker threads, so the event loop stays free to renew job locks. */
export interface CpuPool {
  /**
   * Runs one task on a thread. When `signal` aborts (timeout, cancel,
   * shutdown) the thread running it is terminated, so the work really stops.
   */
  run<T extends CpuTaskType>(type: T, data: CpuTasks[T]['data'], signal: AbortSignal): Promise<CpuTasks[T]['result']>;
  /** Stops every thread. */
  close(): Promise<void>;
  readonly threads: number;
}

/**
 * The compiled thread entry. Resolved against `dist/` from both `dist/cpu-pool`
 * and `src/cpu-pool`: threads run plain JavaScript, so tests that import the
 * TypeScript sources still use the built entry (npm test builds first).
 */
const THREAD_ENTRY = resolve(__dirname, '../../dist/cpu-pool/cpu-tasks.js');

export function createCpuPool(options: CpuPoolOptions): CpuPool {
  const piscina = new Piscina({
    filename: THREAD_ENTRY,
    name: 'runCpuTask',
    minThreads: 0,
    maxThreads: options.threads,
    idleTimeout: THREAD_IDLE_MS,
  });
  return {
    threads: options.threads,
    run: (type, data, signal) => inSpan('cpu task', { 'floodgate.cpu.task': type }, () => piscina.run({ type, data } as CpuTask, { signal })),
    close: () => piscina.destroy(),
  };
}
