import type { catalog, ComputeResult, SentimentPayload, SentimentResult } from '@floodgate/shared/jobs';
import type { ProxyStatus as WireProxyStatus } from '@floodgate/shared/proxies';
import type * as wire from '@floodgate/shared/wire';
import type { WorkerHeartbeat } from '@floodgate/shared/workers';
import { describe, expectTypeOf, it } from 'vitest';
import {
  FloodgateClient,
  isFloodgateApiError,
  type BulkEnqueued,
  type BulkItemFailed,
  type BulkItemStored,
  type CancelledJob,
  type EnqueuedJob,
  type Job,
  type JobEvent,
  type JobMapOf,
  type JobOptions,
  type JobState,
  type JobTypeInfo,
  type ListableJobState,
  type OutcomeUnknownDetails,
  type ProxyStatus,
  type QueuePauseState,
  type QueueStatus,
  type RetriedJob,
  type Schedule,
  type TenantPage,
  type TenantPauseState,
  type WorkerStatus,
} from './index.js';

/** Floodgate's own catalog, through the helper a user would use on theirs. */
type FloodgateJobs = JobMapOf<typeof catalog>;

/** A user's job map, written by hand as an interface (no index signature). */
interface ShopJobs {
  invoice: { payload: { orderId: string }; result: { pdfUrl: string } };
}

/** Schemas as zod 3 and zod 4 type them (`_input`/`_output`), and zod 4's core (`_zod`), without zod itself. */
interface Schema<I, O> {
  _input: I;
  _output: O;
}
interface CoreSchema<I, O> {
  _zod: { input: I; output: O };
}

// Checked by `tsc` (the package's typecheck), not at run time: nothing here sends a request.
describe('types from a job map', () => {
  const client = new FloodgateClient<FloodgateJobs>({ baseUrl: 'http://127.0.0.1:1' });

  it("types a call's payload by its job type", () => {
    expectTypeOf(client.enqueue<'sentiment'>).parameter(1).toEqualTypeOf<SentimentPayload>();
    expectTypeOf(client.enqueueAndWait<'sentiment'>).parameter(1).toEqualTypeOf<SentimentPayload>();
    // @ts-expect-error a compute payload is not a sentiment payload
    expectTypeOf(() => client.enqueue('sentiment', { n: 1, m: 1 })).toBeFunction();
    // @ts-expect-error no such job type
    expectTypeOf(() => client.get('no-such-type', '1')).toBeFunction();
    // @ts-expect-error a schedule's payload is its type's
    expectTypeOf(() => client.putSchedule('s', { type: 'sentiment', payload: { n: 1, m: 1 }, everyMs: 1_000 })).toBeFunction();
  });

  it("types a job's result by its job type, in every answer that carries one", () => {
    expectTypeOf<Awaited<ReturnType<typeof client.get<'sentiment'>>>['result']>().toEqualTypeOf<SentimentResult | null>();
    expectTypeOf<Awaited<ReturnType<typeof client.enqueueAndWait<'compute'>>>['result']>().toEqualTypeOf<ComputeResult | null>();
    expectTypeOf<Extract<JobEvent<FloodgateJobs, 'compute'>, { event: 'completed' }>['result']>().toEqualTypeOf<ComputeResult>();
    type Listed = Awaited<ReturnType<typeof client.listJobs<'sentiment'>>>;
    expectTypeOf<Listed['jobs'][number]['result']>().toEqualTypeOf<SentimentResult | null>();
  });

  it('narrows a job of several types by its type', () => {
    const job = {} as Job<FloodgateJobs>;
    if (job.type === 'compute') expectTypeOf(job.result).toEqualTypeOf<ComputeResult | null>();
  });

  it('takes a hand-written interface, and refuses a type name where the map goes', () => {
    const shop = new FloodgateClient<ShopJobs>({ baseUrl: 'http://127.0.0.1:1' });
    expectTypeOf(shop.enqueue<'invoice'>).parameter(1).toEqualTypeOf<{ orderId: string }>();
    expectTypeOf<Job<ShopJobs, 'invoice'>['result']>().toEqualTypeOf<{ pdfUrl: string } | null>();
    // @ts-expect-error Job's first parameter is the map, not a type name
    expectTypeOf<Job<'invoice'>>().not.toBeNever();
  });

  it('derives a map from definitions: payload as the schema takes it, result as it gives it', () => {
    type Derived = JobMapOf<{ a: { payload: Schema<{ n?: number }, { n: number }>; result: Schema<string, Date> }; b: { payload: CoreSchema<1, 2>; result: CoreSchema<3, 4> } }>;
    expectTypeOf<Derived>().toEqualTypeOf<{ a: { payload: { n?: number }; result: Date }; b: { payload: 1; result: 4 } }>();
  });

  it('types the details of a 503 enqueue_outcome_unknown: the id of the job that may exist', () => {
    const err: unknown = new Error('not an API error');
    if (isFloodgateApiError(err, 'enqueue_outcome_unknown')) {
      expectTypeOf(err.details.id).toEqualTypeOf<string>();
      expectTypeOf(err.details.links.self).toEqualTypeOf<string>();
    }
  });
});

/**
 * The client declares the wire's shapes itself (it depends on no floodgate
 * package); these say they are the API's own, from the wire schemas the API
 * answers with. A field added, dropped or retyped on either side fails here.
 */
describe("the client's wire types are the API's", () => {
  /** `T` as one plain object type, all the way down (an intersection and its flattened form are then identical). */
  type Flat<T> = T extends object ? { [K in keyof T]: Flat<T[K]> } : T;
  /** Identical, optional fields and `readonly` included (mutual assignability would let an extra optional field by). */
  type Same<A, B> = (<X>() => X extends Flat<A> ? 1 : 2) extends <X>() => X extends Flat<B> ? 1 : 2 ? true : false;
  const same = <A, B>(verdict: Same<A, B>) => verdict;
  /** Every value of the wire's type `W` is one of the client's type `C`. */
  const reads = <C, W>(verdict: [W] extends [C] ? true : false) => verdict;

  it('jobs and job states', () => {
    same<JobState, wire.JobState>(true);
    same<ListableJobState, wire.ListableJobState>(true);
    same<Job<FloodgateJobs, 'sentiment'>, wire.JobView<'sentiment'>>(true);
    same<Job<FloodgateJobs, 'compute'>, wire.JobView<'compute'>>(true);
    same<JobOptions, wire.EnqueueOptions>(true);
  });

  it('answers to enqueue, bulk, cancel and retry', () => {
    same<Omit<EnqueuedJob, 'created'>, Omit<wire.Accepted, 'state' | 'type'> & { state: JobState; type: string }>(true);
    // An item's error code is any string here (a newer API may send a new one), an enum there: every wire
    // answer reads as the client's type, and the items have the same fields.
    reads<BulkEnqueued, wire.BulkAccepted>(true);
    same<keyof BulkItemFailed | keyof BulkItemStored, keyof (typeof wire.BulkItemFailed)['_output'] | keyof (typeof wire.BulkItemStored)['_output']>(true);
    same<OutcomeUnknownDetails, Omit<wire.OutcomeUnknownDetails, 'type'> & { type: string }>(true);
    same<CancelledJob, Omit<wire.Cancelled, 'type'> & { type: string }>(true);
    same<RetriedJob, Omit<wire.Retried, 'type'> & { type: string }>(true);
  });

  it('queues, tenants, workers, proxies, schedules and job types', () => {
    same<WorkerStatus, WorkerHeartbeat>(true);
    same<ProxyStatus, WireProxyStatus>(true);
    same<QueueStatus, Omit<wire.QueueStatus, 'type'> & { type: string }>(true);
    same<QueuePauseState, Omit<wire.QueuePaused, 'type'> & { type: string }>(true);
    same<TenantPage, Omit<wire.TenantPage, 'type'> & { type: string }>(true);
    same<TenantPauseState, Omit<wire.TenantPaused, 'type'> & { type: string }>(true);
    same<Omit<Schedule<FloodgateJobs, 'sentiment'>, 'payload'>, Omit<wire.Schedule, 'type' | 'payload'> & { type: 'sentiment' }>(true);
    same<JobTypeInfo, Omit<wire.JobTypeInfo, 'type'> & { type: string }>(true);
  });
});
