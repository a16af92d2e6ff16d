import type { ComputePayload, ComputeResult, SentimentPayload, SentimentResult } from '@floodgate/shared/jobs';
import { dictionaryChecksum } from './dictionary-checksum';
import { scoreSentiments } from './score-sentiment';

/**
 * The CPU-bound work of each CPU-bound job type, as plain synchronous
 * functions: what runs inside a pool thread. Kept apart from the handlers so a
 * thread loads only this and its imports.
 */
export interface CpuTasks {
  compute: { data: ComputePayload; result: ComputeResult };
  /** A batch of texts per task: one thread hop costs more than scoring a short text. */
  sentiment: { data: SentimentPayload[]; result: SentimentResult[] };
}

export type CpuTaskType = keyof CpuTasks;
export type CpuTask = { [T in CpuTaskType]: { type: T; data: CpuTasks[T]['data'] } }[CpuTaskType];

const tasks: { [T in CpuTaskType]: (data: CpuTasks[T]['data']) => CpuTasks[T]['result'] } = {
  compute: dictionaryChecksum,
  sentiment: scoreSentiments,
};

/** The CPU-bound job types (the drift test compares them with the catalog's `cpuBound` flags). */
export const cpuTaskTypes = Object.keys(tasks) as CpuTaskType[];

/** Entry point of every pool thread (piscina calls it by name). */
export function runCpuTask(task: CpuTask): unknown {
  switch (task.type) {
    case 'compute':
      return tasks.compute(task.data);
    case 'sentiment':
      return tasks.sentiment(task.data);
  }
}
