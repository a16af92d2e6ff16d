import { fields, type OverviewRecorder } from '@floodgate/shared/overview';
import type { Job, Worker } from 'bullmq';

/**
 * Feeds the overview's history from one worker's events: a job that completed
 * or failed for good is counted; every finished attempt gives its processing
 * time; a first attempt gives its pick-up latency (from when it could first
 * run, i.e. after its delay, to when a worker took it).
 */
export function recordJobFigures(worker: Worker, type: string, recorder: OverviewRecorder): void {
  // attemptsMade already counts the attempt that just ended, completed or failed.
  const timings = (job: Job) => {
    if (job.processedOn === undefined) return;
    recorder.observe(type, 'processing', Math.max(0, (job.finishedOn ?? Date.now()) - job.processedOn));
    if (job.attemptsMade <= 1) recorder.observe(type, 'pickup', Math.max(0, job.processedOn - job.timestamp - (job.opts.delay ?? 0)));
  };
  worker.on('completed', (job) => {
    recorder.count(fields.finished(type, 'completed'));
    timings(job);
  });
  worker.on('failed', (job) => {
    if (!job) return;
    // BullMQ sets finishedOn only once the job has failed for good, not when it will retry.
    if (job.finishedOn !== undefined) recorder.count(fields.finished(type, 'failed'));
    timings(job);
  });
}
