import { test } from 'vitest';
import { startApi, type ApiHarness } from './api-harness';

/** What {@link startApi} takes. */
export type StartApiOptions = NonNullable<Parameters<typeof startApi>[0]>;

/**
 * A vitest `test` with an `api` fixture started with these options: each test
 * that asks for it gets an API of its own on a private Redis, stopped when the
 * test ends, so tests share no state and run alone (`vitest -t`) or in any order.
 */
export function apiTestWith(options: StartApiOptions) {
  return test.extend<{ api: ApiHarness }>({
    // eslint-disable-next-line no-empty-pattern
    api: async ({}, use) => {
      const api = await startApi(options);
      await use(api);
      await api.stop();
    },
  });
}

/** {@link apiTestWith} the defaults. */
export const apiTest = apiTestWith({});
