import type { ComputeResult, SentimentPayload, SentimentResult } from '@floodgate/shared/jobs';
import { describe, expectTypeOf, it } from 'vitest';
import { FloodgateClient, isFloodgateApiError, type Job } from './index';

// Checked by `tsc` (the package's typecheck), not at run time: nothing here sends a request.
describe('types from the job catalog', () => {
  const client = new FloodgateClient({ baseUrl: 'http://127.0.0.1:1' });

  it("types a call's payload by its job type", () => {
    expectTypeOf(client.enqueue<'sentiment'>).parameter(1).toEqualTypeOf<SentimentPayload>();
    expectTypeOf(client.enqueueAndWait<'sentiment'>).parameter(1).toEqualTypeOf<SentimentPayload>();
    // @ts-expect-error a compute payload is not a sentiment payload
    expectTypeOf(() => client.enqueue('sentiment', { n: 1, m: 1 })).toBeFunction();
    // @ts-expect-error no such job type
    expectTypeOf(() => client.get('no-such-type', '1')).toBeFunction();
  });

  it("types a job's result by its job type", () => {
    expectTypeOf<Awaited<ReturnType<typeof client.get<'sentiment'>>>>().toEqualTypeOf<Job<'sentiment'>>();
    expectTypeOf<Job<'sentiment'>['result']>().toEqualTypeOf<SentimentResult | null>();
    expectTypeOf<Awaited<ReturnType<typeof client.enqueueAndWait<'compute'>>>['result']>().toEqualTypeOf<ComputeResult | null>();
  });

  it('types the details of a 503 enqueue_outcome_unknown: the id of the job that may exist', () => {
    const err: unknown = new Error('not an API error');
    if (isFloodgateApiError(err, 'enqueue_outcome_unknown')) {
      expectTypeOf(err.details.id).toEqualTypeOf<string>();
      expectTypeOf(err.details.links.self).toEqualTypeOf<string>();
    }
  });
});
