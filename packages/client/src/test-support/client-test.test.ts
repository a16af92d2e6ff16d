import { apiTestWith, type ApiHarness, type StartApiOptions } from '@floodgate/api/testing';
import type { catalog } from '@floodgate/shared/jobs';
import { startTcpFaultProxy, type TcpFaultProxy } from '@floodgate/testkit';
import { FloodgateClient, type JobMapOf } from '../index.js';
import { recordingFetch } from './recording-fetch.test.js';
import { startWorkers } from './workers.test.js';

/** Floodgate's own job types, as a user's would be: derived from the definitions' schemas. */
export type FloodgateJobs = JobMapOf<typeof catalog>;

/** The handlers {@link startWorkers} runs. */
export type Handlers = Parameters<typeof startWorkers>[1];

/** Running workers, as {@link startWorkers} gives them. */
export type Workers = Awaited<ReturnType<typeof startWorkers>>;

/** What a client test may ask for; each is made for the test that asks and stopped when it ends. */
export interface ClientFixtures {
  /** The test's own API on a private Redis. */
  api: ApiHarness;
  /** Every request the `client` fixture made (retries included), with its answer. */
  recorded: ReturnType<typeof recordingFetch>;
  /** A client of the test's API with its admin key, through `recorded`. */
  client: FloodgateClient<FloodgateJobs>;
  /** Between a client and the test's API: a fault proxy whose `url` reaches the API. */
  httpLink: TcpFaultProxy;
  /** Between the test's API and its Redis: the API's own fault proxy (an API started with `faultProxy: true`). */
  redisLink: TcpFaultProxy;
}

/**
 * The API's own {@link apiTestWith} (an API per test that asks) plus a
 * client's fixtures (see {@link ClientFixtures}): what a test asked for stops
 * when it ends, so tests share no state and run alone (`vitest -t`) or in any
 * order. A file whose tests need a worker extends it with a `workers` fixture
 * ({@link workersRunning}).
 */
export function clientTestWith(options: StartApiOptions = {}) {
  return apiTestWith(options).extend<Omit<ClientFixtures, 'api'>>({
    // eslint-disable-next-line no-empty-pattern
    recorded: async ({}, use) => {
      await use(recordingFetch());
    },
    client: async ({ api, recorded }, use) => {
      await use(new FloodgateClient<FloodgateJobs>({ baseUrl: api.url, apiKey: api.apiKey, fetch: recorded.fetch }));
    },
    httpLink: async ({ api }, use) => {
      const link = await startTcpFaultProxy({ target: api.url });
      await use(link);
      await link.close();
    },
    redisLink: async ({ api }, use) => {
      // The API closes it when it stops.
      if (!api.proxy) throw new Error('redisLink needs an API started with faultProxy: true');
      await use(api.proxy);
    },
  });
}

/**
 * A `workers` fixture: floodgate's worker runtime on the test's API, running
 * the handlers `handlers()` makes (afresh for each test, so no handler state
 * outlives its test), stopped when the test ends.
 */
export function workersRunning(handlers: () => Handlers) {
  return async ({ api }: { api: ApiHarness }, use: (workers: Workers) => Promise<void>) => {
    const workers = await startWorkers(api, handlers());
    await use(workers);
    await workers.stop();
  };
}
