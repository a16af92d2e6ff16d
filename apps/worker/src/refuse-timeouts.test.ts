import { defineJob, useJobs } from '@floodgate/shared/jobs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { refuseTimeoutsPastTheDrain } from './worker-process';

describe('a job type whose attempts may outlive the drain', () => {
  it('is refused at start, naming the type, its timeout and the grace', () => {
    const job = (type: string, timeoutMs: number) => defineJob({ type, description: 'test', payload: z.object({}), result: z.object({}), timeoutMs });
    useJobs([job('quick', 5_000), job('render', 60_000)]);
    expect(() => refuseTimeoutsPastTheDrain(35_000)).toThrow(/WORKER_DRAIN_GRACE_MS \(35000 ms\): render \(timeoutMs 60000\)/);
    expect(() => refuseTimeoutsPastTheDrain(60_000)).not.toThrow();
  });
});
