import { defineHandler } from '@floodgate/worker/runtime';
import { describe, expect } from 'vitest';
import { FloodgateClient, type JobEvent } from './index.js';
import { clientTestWith, type FloodgateJobs, type Workers } from './test-support/client-test.test.js';
import { apiError, rejection } from './test-support/rejection.test.js';
import { startWorkers } from './test-support/workers.test.js';

/** A gate a test opens. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** The gates of a test's gated jobs (`n: 1`): each reports progress once `report` opens, and finishes once `finish` does. */
interface Gates {
  report: ReturnType<typeof gate>;
  finish: ReturnType<typeof gate>;
}

const gatedCompute = (gates: Gates) =>
  defineHandler('compute', async ({ n, m }, ctx) => {
    if (n === 1) {
      await gates.report.opened;
      await ctx.progress(50);
      await gates.finish.opened;
    }
    if (n === 2) throw new Error('gated_failure: told to fail');
    return { checksum: 'c0ffee00', operations: n * m, n, m };
  });

/** Each test's API and client; `gates` its own, and `workers` running the gated compute handler on them. */
const test = clientTestWith().extend<{ gates: Gates; workers: Workers }>({
  // eslint-disable-next-line no-empty-pattern
  gates: async ({}, use) => {
    await use({ report: gate(), finish: gate() });
  },
  workers: async ({ api, gates }, use) => {
    const workers = await startWorkers(api, { compute: gatedCompute(gates) });
    await use(workers);
    // A test that failed half-way may leave a gated job waiting: let it go before the workers stop.
    gates.report.open();
    gates.finish.open();
    await workers.stop();
  },
});

/** A job's Server-Sent Events through the client, with the connection cut mid-stream by a fault proxy. */
describe('FloodgateClient job events', () => {
  test('resumes a dropped stream with Last-Event-ID: the state now, then on to the result, ids counting on', async ({ api, recorded, httpLink, gates, workers: _workers }) => {
    const client = new FloodgateClient<FloodgateJobs>({ baseUrl: httpLink.url, apiKey: api.apiKey, fetch: recorded.fetch });
    const job = await client.enqueue('compute', { n: 1, m: 3 });

    const seen: Array<JobEvent<FloodgateJobs, 'compute'>> = [];
    for await (const event of client.events('compute', job.id)) {
      seen.push(event);
      const states = seen.filter((e) => e.event === 'state').length;
      // Following the job: now it may report progress.
      if (event.event === 'state' && states === 1) gates.report.open();
      // It reported: now the connection drops, mid-job.
      if (event.event === 'progress') httpLink.reset();
      // Back on a new connection, told where the job stands: now it may finish.
      if (event.event === 'state' && states === 2) gates.finish.open();
    }

    expect(seen.map((event) => event.event)).toEqual(['state', 'progress', 'state', 'completed']);
    // Ids go on across the reconnect: the API was told the last one seen.
    expect(seen.map((event) => Number(event.id))).toEqual([1, 2, 3, 4]);
    const streams = recorded.exchanges.filter((exchange) => exchange.url.endsWith('/events'));
    expect(streams.map((exchange) => exchange.headers.get('last-event-id'))).toEqual([null, '2']);
    // The resumed state shows the job as it is now, its progress included.
    expect(seen[2]).toMatchObject({ event: 'state', job: { id: job.id, state: 'active', progress: 50 } });
    expect(seen[3]).toEqual({ event: 'completed', id: '4', result: { checksum: 'c0ffee00', operations: 3, n: 1, m: 3 } });
  });

  test("ends with a failed job's error, under the API's own field names", async ({ client, workers: _workers }) => {
    const job = await client.enqueue('compute', { n: 2, m: 1 }, { attempts: 1 });
    const seen = [];
    for await (const event of client.events('compute', job.id)) seen.push(event);
    expect(seen.at(-1)).toMatchObject({ event: 'failed', error: 'gated_failure: told to fail' });
  });

  test('starts from a Last-Event-ID of the caller, and stops when the caller aborts', async ({ client, gates, workers: _workers }) => {
    const done = await client.enqueueAndWait('compute', { n: 3, m: 1 }, { waitSeconds: 10 });
    expect(done.state).toBe('completed');
    const seen = [];
    for await (const event of client.events('compute', done.id, { lastEventId: '9' })) seen.push(event);
    expect(seen.map((event) => `${event.id} ${event.event}`)).toEqual(['10 state', '11 completed']);

    const running = await client.enqueue('compute', { n: 1, m: 1 });
    const controller = new AbortController();
    const reason = new Error('the caller stopped following');
    const following = (async () => {
      for await (const event of client.events('compute', running.id, { signal: controller.signal })) {
        if (event.event === 'state') controller.abort(reason);
      }
    })();
    expect(await rejection(following)).toBe(reason);
    gates.report.open();
    gates.finish.open();
    await client.get('compute', running.id, { waitSeconds: 10 });
  });

  test('throws job_not_found for a job that does not exist, without reconnecting', async ({ client, recorded }) => {
    const events = client.events('compute', 'no-such-job')[Symbol.asyncIterator]();
    expect((await apiError(events.next(), 'job_not_found')).status).toBe(404);
    expect(recorded.exchanges).toHaveLength(1);
  });
});
