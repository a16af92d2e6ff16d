import { defineJob, useJobs, type JobType } from '@floodgate/shared/jobs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPayloadPolicy } from './payload-policy';

describe('payload policy: SSRF checks follow a definition\'s urlFields, not a type name', () => {
  it('checks every URL field a type names, and none of a type that names none', () => {
    useJobs([
      defineJob({ type: 'crawl', description: 'test', payload: z.object({ start: z.string(), referrer: z.string().optional() }), result: z.object({}), urlFields: ['start', 'referrer'] }),
      defineJob({ type: 'note', description: 'test', payload: z.object({ start: z.string() }), result: z.object({}) }),
    ]);
    const policy = createPayloadPolicy({ allowPrivateNetworks: false });
    const at = ['payload'];
    expect(policy('crawl' as JobType, { start: 'https://example.com/' }, at)).toEqual([]);
    const refused = policy('crawl' as JobType, { start: 'https://example.com/', referrer: 'http://169.254.169.254/latest' }, at);
    expect(refused.map((issue) => issue.path)).toEqual([['payload', 'referrer']]);
    expect(policy('crawl' as JobType, { start: 'not a url' }, at)[0]?.message).toBe('must be an absolute URL');
    expect(policy('note' as JobType, { start: 'http://127.0.0.1/' }, at)).toEqual([]);
    expect(createPayloadPolicy({ allowPrivateNetworks: true })('crawl' as JobType, { start: 'http://127.0.0.1/' }, at)).toEqual([]);
  });
});
