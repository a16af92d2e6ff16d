import { describe, expect, it } from 'vitest';
import type { Job } from './job.js';
import { failureCodeOf, JobFailedError } from './job-failed-error.js';

describe('failureCodeOf', () => {
  it('reads the code floodgate puts before the colon', () => {
    expect(failureCodeOf('job_timeout: attempt exceeded 100 ms')).toBe('job_timeout');
    expect(failureCodeOf('cancelled: the job was cancelled by a request')).toBe('cancelled');
  });

  it('is null for a reason without a code, or no reason', () => {
    expect(failureCodeOf('unlucky')).toBeNull();
    expect(failureCodeOf('TypeError: x is undefined')).toBeNull();
    expect(failureCodeOf('fetch failed: oops')).toBeNull();
    expect(failureCodeOf(null)).toBeNull();
  });
});

describe('JobFailedError', () => {
  it('carries the job and its failure code, and says both', () => {
    const job: Job<{ compute: { payload: { n: number }; result: { sum: number } } }, 'compute'> = {
      id: '7',
      type: 'compute',
      state: 'failed',
      progress: 0,
      attempts: 2,
      result: null,
      error: 'job_timeout: attempt exceeded 30000 ms',
      createdAt: null,
      startedAt: null,
      finishedAt: null,
      processedBy: null,
    };
    const err = new JobFailedError(job);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('JobFailedError');
    expect(err.job).toBe(job);
    expect(err.failureCode).toBe('job_timeout');
    expect(err.message).toBe('The compute job "7" failed: job_timeout: attempt exceeded 30000 ms');
  });
});
