import { defineConfig } from 'vitest/config';

// End-to-end tests start the real stack under pm2; they take seconds, not milliseconds.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
