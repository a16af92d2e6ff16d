import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Helpers the tests share are named *.test.ts (the build leaves them out) but hold no tests.
    exclude: [...configDefaults.exclude, 'src/test-support/**'],
  },
});
