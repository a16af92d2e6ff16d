import type { JobType, PayloadOf, ResultOf } from '@floodgate/shared/jobs';
import { dictionaryChecksum } from '../job-functions/compute';
import { scoreSentiments } from '../job-functions/sentiment';

/**
 * The work of each CPU-bound job type (`cpuBound` in the catalog), one line each:
 * a plain synchronous function that runs inside a pool thread. A thread loads only
 * this file and its imports, so those stay free of handler and Redis code.
 * A batch type (`batch` in the catalog) takes the payloads of a whole batch and
 * answers one result each, in order: one thread hop for many jobs.
 */
export const cpuTasks = {
  compute: dictionaryChecksum,
  sentiment: scoreSentiments,
} satisfies { [T in JobType]?: ((data: PayloadOf<T>) => ResultOf<T>) | ((data: readonly PayloadOf<T>[]) => ResultOf<T>[]) };

export type CpuTaskType = keyof typeof cpuTasks;
/** What a task of `T` takes and gives: one payload, or a batch type's array of them. */
export type CpuTaskData<T extends CpuTaskType> = Parameters<(typeof cpuTasks)[T]>[0];
export type CpuTaskResult<T extends CpuTaskType> = ReturnType<(typeof cpuTasks)[T]>;
export type CpuTask = { [T in CpuTaskType]: { type: T; data: CpuTaskData<T> } }[CpuTaskType];

/** The types that run on the pool (catalog-drift.test.ts compares them with the catalog's `cpuBound` flags). */
export const cpuTaskTypes = Object.keys(cpuTasks) as CpuTaskType[];

/** Entry point of every pool thread (piscina calls it by name). */
export function runCpuTask(task: CpuTask): unknown {
  // TypeScript cannot pair a union's `type` with its `data` through an index; the CpuTask union does.
  const work = cpuTasks[task.type] as (data: CpuTask['data']) => unknown;
  return work(task.data);
}
