import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { catalog, isJobType, jobTypes } from './catalog';
import { defineJob } from './define-job';
import { jobOptionsFor } from './job-options';
import { jobJsonSchemas } from './json-schema';

describe('the job catalog', () => {
  it('holds the three job types, keyed by their own names', () => {
    expect(jobTypes).toEqual(['sentiment', 'page-extract', 'compute']);
    for (const type of jobTypes) expect(catalog[type].type).toBe(type);
    expect(isJobType('compute')).toBe(true);
    expect(isJobType('__proto__')).toBe(false);
    expect(isJobType('toString')).toBe(false);
  });

  it('bounds sentiment text', () => {
    const { payload } = catalog.sentiment;
    expect(payload.safeParse({ text: 'good' }).success).toBe(true);
    expect(payload.safeParse({ text: '' }).success).toBe(false);
    expect(payload.safeParse({ text: 'x'.repeat(20_001) }).success).toBe(false);
    expect(payload.safeParse({ text: 'ok', extra: 1 }).success).toBe(false);
  });

  it('accepts only absolute http(s) URLs for page-extract', () => {
    const { payload } = catalog['page-extract'];
    expect(payload.safeParse({ url: 'https://example.com/a?b=c' }).success).toBe(true);
    for (const url of ['file:///etc/passwd', 'data:text/html,hi', 'ftp://x', '/relative', 'javascript:alert(1)']) {
      expect(payload.safeParse({ url }).success, url).toBe(false);
    }
  });

  it('bounds compute work in each dimension and in total', () => {
    const { payload } = catalog.compute;
    expect(payload.safeParse({ n: 10, m: 1_000 }).success).toBe(true);
    expect(payload.safeParse({ n: 0, m: 1 }).success).toBe(false);
    expect(payload.safeParse({ n: 1.5, m: 1 }).success).toBe(false);
    const tooMuch = payload.safeParse({ n: 10_000, m: 1_000_000 });
    expect(tooMuch.success).toBe(false);
    expect(tooMuch.error?.issues[0]?.message).toMatch(/n \* m must be at most/);
  });

  it('publishes a JSON Schema per type', () => {
    const schemas = jobJsonSchemas(catalog.compute);
    expect(schemas.payload).toMatchObject({ type: 'object', required: ['n', 'm'], additionalProperties: false });
    expect(schemas.result).toMatchObject({ type: 'object' });
  });

  it('derives BullMQ job options from the definition', () => {
    expect(jobOptionsFor(catalog['page-extract'])).toEqual({
      attempts: 3,
      backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
      removeOnComplete: { count: 1_000, age: 3_600 },
      removeOnFail: { count: 5_000, age: 604_800 },
    });
  });
});

describe('defineJob', () => {
  const base = { description: 'd', payload: z.object({}), result: z.object({}) };

  it('fills defaults', () => {
    const job = defineJob({ ...base, type: 'x' });
    expect(job).toMatchObject({ concurrency: 10, cpuBound: false, timeoutMs: 30_000, attempts: 3 });
    expect(Object.isFrozen(job)).toBe(true);
  });

  it('refuses bad names and non-positive numbers', () => {
    expect(() => defineJob({ ...base, type: 'Bad Name' })).toThrow(/lowercase/);
    expect(() => defineJob({ ...base, type: 'x', concurrency: 0 })).toThrow(/concurrency/);
    expect(() => defineJob({ ...base, type: 'x', attempts: 1.5 })).toThrow(/attempts/);
    expect(() => defineJob({ ...base, type: 'x', backoff: { type: 'fixed', delayMs: 10, jitter: 2 } })).toThrow(/jitter/);
  });

  it('takes a batch policy no larger than the concurrency that fills it', () => {
    expect(defineJob({ ...base, type: 'x', concurrency: 8, batch: { size: 8, maxWaitMs: 0 } }).batch).toEqual({ size: 8, maxWaitMs: 0 });
    expect(defineJob({ ...base, type: 'x' }).batch).toBeUndefined();
    expect(() => defineJob({ ...base, type: 'x', concurrency: 4, batch: { size: 8, maxWaitMs: 5 } })).toThrow(/batch.size \(8\) must not exceed concurrency/);
    expect(() => defineJob({ ...base, type: 'x', batch: { size: 0, maxWaitMs: 5 } })).toThrow(/batch.size/);
    expect(() => defineJob({ ...base, type: 'x', batch: { size: 2, maxWaitMs: -1 } })).toThrow(/maxWaitMs/);
  });
});
