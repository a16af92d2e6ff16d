import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The helpers the tests share are named *.test.ts, so that the build leaves them out and the
    // import boundaries treat them as test code (they drive a real API and worker), but they hold
    // no tests of their own.
    exclude: [...configDefaults.exclude, 'src/test-support/**'],
    // Most tests drive a real API and worker, whose start (a fixture, timed with the test) takes seconds on a busy machine.
    testTimeout: 30_000,
  },
});
