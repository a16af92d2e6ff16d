import { test } from 'vitest';
import { startApi, type ApiHarness } from './api-harness';

/**
 * A vitest `test` with an `api` fixture: each test that asks for it gets an
 * API of its own on a private Redis, stopped when the test ends, so tests
 * share no state and run alone (`vitest -t`) or in any order.
 */
export const apiTest = test.extend<{ api: ApiHarness }>({
  // eslint-disable-next-line no-empty-pattern
  api: async ({}, use) => {
    const api = await startApi();
    await use(api);
    await api.stop();
  },
});
