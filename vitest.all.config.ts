import { defineConfig } from 'vitest/config';

/**
 * Every test in one run (`npm test`; named so that `vitest` inside one package
 * still runs just that package): each package's colocated tests and the
 * end-to-end tests of the stack under pm2, two files at a time (CI machines have
 * two cores; each file starts its own redis-server and processes on free ports).
 */
export default defineConfig({
  test: {
    maxWorkers: 2,
    projects: [
      'packages/*',
      'apps/*',
      {
        test: {
          name: 'lint',
          include: ['test/lint/**/*.test.ts'],
          // Repo-wide checks (ESLint's rules, what the builds hold). One ESLint run loads its
          // plugins and follows imports on disk: seconds on a busy machine.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          // End-to-end tests start the real stack; they take seconds, not milliseconds.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
