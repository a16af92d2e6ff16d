import {
  Accepted,
  BulkAccepted,
  Cancelled,
  ErrorBody,
  jobViewOf,
  JobTypeInfo,
  QueueStatus,
  Retried,
  Schedule,
} from '@floodgate/shared/wire';
import { waitFor } from '@floodgate/testkit';
import { Worker } from 'bullmq';
import type { z } from 'zod';
import { describe, expect, test as base } from 'vitest';
import { startApi, type ApiHarness } from '../testing/api-harness';

/** An API with a raw BullMQ Worker on compute ('drift-worker'; n = 13 fails), both stopped when the test ends. */
const test = base.extend<{ api: ApiHarness }>({
  // eslint-disable-next-line no-empty-pattern
  api: async ({}, use) => {
    const api = await startApi({ limits: { maxEventLoopDelayMs: 60_000 } });
    const worker = new Worker(
      api.queues.compute.first.name,
      async (job) => {
        if ((job.data as { n: number }).n === 13) throw new Error('unlucky');
        return { checksum: 'abcd0123', operations: 1, n: 1, m: 1 };
      },
      { connection: api.connection.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true }), prefix: api.prefix, name: 'drift-worker' },
    );
    await use(api);
    await worker.close();
    await api.stop();
  },
});

const answer = async (api: ApiHarness, schema: z.ZodType, method: string, path: string, json?: unknown) => {
  const res = await api.request(method, path, json === undefined ? {} : { json });
  const body: unknown = await res.json();
  const parsed = schema.safeParse(body);
  expect(parsed.error?.issues ?? [], `${method} ${path} → ${JSON.stringify(body)}`).toEqual([]);
  return body as Record<string, unknown>;
};

/**
 * The wire schemas in `@floodgate/shared/wire` are strict: every answer the
 * real API gives must parse with its schema, with no field missing, none
 * extra and every value in range. A field added, renamed or dropped on either
 * side (or a state the schema does not list) fails here; the client and
 * OpenAPI take their shapes from the same schemas.
 */
describe('answers match their wire schemas exactly', () => {
  test('enqueue, read (completed and failed), list, bulk, retry and cancel', async ({ api }) => {
    const accepted = await answer(api, Accepted, 'POST', '/v1/jobs/compute', { payload: { n: 1, m: 1 } });
    const id = String(accepted.id);
    const completed = await waitFor(async () => {
      const view = (await (await api.request('GET', `/v1/jobs/compute/${id}`)).json()) as { state: string };
      return view.state === 'completed' ? view : undefined;
    });
    expect(jobViewOf('compute').safeParse(completed).error?.issues ?? []).toEqual([]);
    await answer(api, jobViewOf('compute'), 'POST', '/v1/jobs/compute?wait=10', { payload: { n: 2, m: 1 } });

    const bad = String((await answer(api, Accepted, 'POST', '/v1/jobs/compute', { payload: { n: 13, m: 1 }, options: { attempts: 1 } })).id);
    await waitFor(async () => ((await api.queues.compute.getJobState(bad)) === 'failed' ? true : undefined));
    await answer(api, jobViewOf('compute'), 'GET', `/v1/jobs/compute/${bad}`);
    const list = (await (await api.request('GET', '/v1/jobs/compute?state=failed')).json()) as { jobs: unknown[] };
    expect(list.jobs.length).toBe(1);
    for (const job of list.jobs) expect(jobViewOf('compute').safeParse(job).error?.issues ?? []).toEqual([]);
    await answer(api, Retried, 'POST', `/v1/jobs/compute/${bad}/retry`);

    await answer(api, BulkAccepted, 'POST', '/v1/jobs/sentiment/bulk', { jobs: [{ payload: { text: 'fine' } }, { payload: { text: 'later' }, options: { delayMs: 60_000 } }] });
    const delayed = String((await answer(api, Accepted, 'POST', '/v1/jobs/sentiment', { payload: { text: 'x' }, options: { delayMs: 60_000 } })).id);
    await answer(api, Cancelled, 'DELETE', `/v1/jobs/sentiment/${delayed}`);
  });

  test('errors, queues, schedules and the catalog', async ({ api }) => {
    await answer(api, ErrorBody, 'POST', '/v1/jobs/compute', { payload: { n: 0 } });
    await answer(api, ErrorBody, 'GET', '/v1/jobs/compute/nope');
    const queues = (await (await api.request('GET', '/v1/queues')).json()) as { queues: unknown[] };
    expect(queues.queues.length).toBeGreaterThan(0);
    for (const queue of queues.queues) expect(QueueStatus.safeParse(queue).error?.issues ?? []).toEqual([]);
    await api.request('PUT', '/v1/schedules/drift', { json: { type: 'compute', payload: { n: 1, m: 1 }, everyMs: 3_600_000 } });
    await answer(api, Schedule, 'GET', '/v1/schedules/drift');
    const types = (await (await api.request('GET', '/v1/job-types')).json()) as { types: unknown[] };
    for (const type of types.types) expect(JobTypeInfo.safeParse(type).error?.issues ?? []).toEqual([]);
  });

  test('a schema that differs from the answer by one field fails (the check can fail)', async ({ api }) => {
    const res = await api.request('POST', '/v1/jobs/compute', { json: { payload: { n: 1, m: 1 } } });
    const body: unknown = await res.json();
    expect(Accepted.safeParse(body).success).toBe(true);
    expect(Accepted.omit({ links: true }).safeParse(body).success).toBe(false);
    expect(Accepted.extend({ created: Accepted.shape.id }).safeParse(body).success).toBe(false);
  });
});
