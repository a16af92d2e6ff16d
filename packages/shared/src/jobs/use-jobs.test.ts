import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { catalog, isJobType, jobTypes, useJobs } from './catalog';
import { defineJob } from './define-job';

const base = { description: 'test only', payload: z.strictObject({ n: z.number() }), result: z.object({ n: z.number() }) };

describe('useJobs: an app of its own replaces the catalog', () => {
  it('makes its definitions the catalog, in place (modules holding catalog or jobTypes see them), and refuses a type twice', () => {
    const held = { catalog, jobTypes };
    const sum = defineJob({ ...base, type: 'sum' });
    const crawl = defineJob({ ...base, type: 'crawl', urlFields: ['url'] });
    useJobs([sum, crawl]);
    expect(held.jobTypes).toEqual(['sum', 'crawl']);
    expect(Object.keys(held.catalog)).toEqual(['sum', 'crawl']);
    expect(isJobType('sum')).toBe(true);
    expect(isJobType('sentiment')).toBe(false);
    expect(held.catalog['crawl' as never]).toBe(crawl);
    expect(() => useJobs([sum, sum])).toThrow(/"sum" is defined twice/);
    expect(() => useJobs([])).toThrow(/at least one/);
  });
});
