import { Gauge, Histogram, type Registry } from 'prom-client';
import type { JobProcessor } from '../running/run-job';

/** The series one worker process exports, besides Node's defaults. */
export interface WorkerMetrics {
  /** `floodgate_job_duration_seconds{type,status}`: one observation per attempt, completed or failed. */
  jobDuration: Histogram<'type' | 'status'>;
  /** `floodgate_jobs_active{type}`: attempts running in this process now, read from {@link WorkerMetrics.activeByType} when collected. */
  activeJobs: Gauge<'type'>;
  /** `floodgate_job_wait_to_start_seconds{type}`: from added (or due, for a delayed job) to started, first attempts only. */
  waitToStart: Histogram<'type'>;
  /**
   * Attempts running now, by type: plain numbers a job bumps, where a gauge's
   * inc/dec would hash its labels twice per job. The gauge reads them when scraped.
   */
  activeByType: Map<string, ActiveCount>;
}

/** One type's running attempts. */
export interface ActiveCount {
  value: number;
}

export function createWorkerMetrics(registry: Registry): WorkerMetrics {
  const activeByType = new Map<string, ActiveCount>();
  return {
    activeByType,
    jobDuration: new Histogram({
      name: 'floodgate_job_duration_seconds',
      help: 'Time one job attempt took in this process, by job type and outcome.',
      labelNames: ['type', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    waitToStart: new Histogram({
      name: 'floodgate_job_wait_to_start_seconds',
      help: 'Time from when a job could first run (added, or its delay over) to when this process started it, first attempts only, by job type.',
      labelNames: ['type'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    activeJobs: new Gauge({
      name: 'floodgate_jobs_active',
      help: 'Job attempts running in this process, by job type.',
      labelNames: ['type'],
      registers: [registry],
      collect() {
        for (const [type, active] of activeByType) this.set({ type }, active.value);
      },
    }),
  };
}

/** Wraps a processor so every attempt is counted while it runs and timed when it ends. */
export function measuredProcessor<R>(type: string, processor: JobProcessor<R>, metrics: WorkerMetrics): JobProcessor<R> {
  // Looked up once: this wrapper runs for every job, thousands of times a second.
  const running = activeCountOf(metrics, type);
  const completed = metrics.jobDuration.labels({ type, status: 'completed' });
  const failed = metrics.jobDuration.labels({ type, status: 'failed' });
  return async (job, token) => {
    running.value += 1;
    const startedAt = performance.now();
    try {
      const result = await processor(job, token);
      completed.observe((performance.now() - startedAt) / 1_000);
      return result;
    } catch (err) {
      failed.observe((performance.now() - startedAt) / 1_000);
      throw err;
    } finally {
      running.value -= 1;
    }
  };
}

/** The running-attempts count of `type`, shared by every worker of that type in this process. */
function activeCountOf(metrics: WorkerMetrics, type: string): ActiveCount {
  let active = metrics.activeByType.get(type);
  if (!active) {
    active = { value: 0 };
    metrics.activeByType.set(type, active);
  }
  return active;
}
