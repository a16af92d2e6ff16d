import { defineJob, jobOptionsFor, withAttemptTimeout, type JobDefinition } from '@floodgate/shared/jobs';
import { Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import { describe, expect } from 'vitest';
import { z } from 'zod';
import type { JobHandler } from './define-handler';
import { createProcessor } from './run-job';
import { harnessTest } from '../testing/harness-test';
import { settled } from '../testing/worker-harness';

const Payload = z.strictObject({ failFirst: z.boolean().optional() });
const Result = z.object({ ok: z.literal(true), attempt: z.number(), jobId: z.string() });
type Payload = z.infer<typeof Payload>;
type Result = z.infer<typeof Result>;

interface Fixtures {
  /** Runs `handler` under a test-only job type through a real Queue and Worker of its own, closed after the test. */
  runOnce(
    definition: JobDefinition<typeof Payload, typeof Result>,
    handler: JobHandler<Payload, Result>,
    data?: Payload,
    shape?: (options: JobsOptions) => JobsOptions,
  ): Promise<{ job: Job; queue: Queue }>;
}

const it = harnessTest.extend<Fixtures>({
  runOnce: ({ harness, defer }, use) =>
    use(async (definition, handler, data = {}, shape = (options) => options) => {
      const prefix = harness.newPrefix();
      const queue = new Queue(definition.type, { connection: harness.connection, prefix });
      const worker = new Worker(definition.type, createProcessor({ definition, handler, logger: harness.logger }), {
        connection: harness.connection,
        prefix,
      });
      worker.on('error', () => undefined);
      defer(async () => {
        await worker.close(true);
        await queue.close();
      });
      const job = await queue.add(definition.type, data, shape({ ...jobOptionsFor(definition), backoff: { type: 'fixed', delay: 10 } }));
      return { job: await settled(job, queue), queue };
    }),
});

function testJob(overrides: { timeoutMs?: number; attempts?: number } = {}) {
  return defineJob({ type: 'test-job', description: 'test only', payload: Payload, result: Result, attempts: 3, ...overrides });
}

describe('createProcessor', () => {
  it('gives the handler a 1-based attempt, progress and the job log', async ({ runOnce }) => {
    const handler: JobHandler<Payload, Result> = {
      type: 'test-job',
      async run(data, ctx) {
        if (data.failFirst && ctx.attempt === 1) throw new Error('first attempt fails');
        await ctx.progress(50);
        await ctx.log(`attempt ${ctx.attempt}`);
        return { ok: true, attempt: ctx.attempt, jobId: ctx.jobId };
      },
    };
    const { job, queue } = await runOnce(testJob(), handler, { failFirst: true });
    expect(job.returnvalue).toEqual({ ok: true, attempt: 2, jobId: job.id });
    expect(job.progress).toBe(50);
    expect((await queue.getJobLogs(job.id ?? '')).logs).toEqual(['attempt 2']);
  });

  it('fails an attempt past timeoutMs with job_timeout and fires the signal', async ({ runOnce }) => {
    let reason: unknown;
    const handler: JobHandler<Payload, Result> = {
      type: 'test-job',
      run: (_data, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            reason = ctx.signal.reason;
            reject(new Error('handler saw the abort'));
          });
        }),
    };
    const { job } = await runOnce(testJob({ timeoutMs: 200, attempts: 1 }), handler);
    expect(job.failedReason).toBe('job_timeout: attempt exceeded 200 ms');
    expect(String(reason)).toContain('job_timeout');
  });

  it('times out a handler that ignores its signal, and retries it per attempts', async ({ runOnce }) => {
    const handler: JobHandler<Payload, Result> = { type: 'test-job', run: () => new Promise<never>(() => undefined) };
    const { job } = await runOnce(testJob({ timeoutMs: 100, attempts: 2 }), handler);
    expect(job.failedReason).toMatch(/^job_timeout: /);
    expect(job.attemptsMade).toBe(2);
  });

  it("holds an attempt to the job's own timeoutMs, and never past its type's", async ({ runOnce }) => {
    const hang: JobHandler<Payload, Result> = { type: 'test-job', run: () => new Promise<never>(() => undefined) };
    const shorter = await runOnce(testJob({ timeoutMs: 60_000, attempts: 1 }), hang, {}, (o) => withAttemptTimeout(o, 150));
    expect(shorter.job.failedReason).toBe('job_timeout: attempt exceeded 150 ms');
    // A job written straight to Redis with a longer limit still gets the type's.
    const longer = await runOnce(testJob({ timeoutMs: 200, attempts: 1 }), hang, {}, (o) => withAttemptTimeout(o, 60_000));
    expect(longer.job.failedReason).toBe('job_timeout: attempt exceeded 200 ms');
  });

  it('fails a result off the catalog contract with invalid_result, not retried', async ({ runOnce }) => {
    const handler = { type: 'test-job', run: async () => ({ ok: 'yes' }) } as unknown as JobHandler<Payload, Result>;
    const { job } = await runOnce(testJob(), handler);
    expect(job.failedReason).toMatch(/^invalid_result: ok: /);
    expect(job.attemptsMade).toBe(1);
  });
});
