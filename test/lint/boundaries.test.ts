import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The import boundaries of eslint.config.js, each shown to fire: small sources
 * linted as if they sat at a path in the repo (the rules match on path and import
 * specifier), each with an allowed neighbour so a rule that fires on everything fails too.
 */
const root = path.resolve(__dirname, '../..');

/** The rule ids ESLint reports for `code` placed at `file` (relative to the repo root). */
type Violations = (file: string, code: string) => Promise<string[]>;

/** `violations`: one ESLint for the file (loading its plugins and config takes seconds), made by the first test that asks. */
const test = it.extend<{ violations: Violations }>({
  violations: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      // The sources below are linted as text at paths that do not exist, which the type-aware
      // rules cannot see (no tsconfig holds them): those are shown on real files further down.
      const eslint = new ESLint({
        cwd: root,
        overrideConfig: {
          files: ['**/*.ts'],
          languageOptions: { parserOptions: { projectService: false } },
          rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
        },
      });
      await use(async (file, code) => {
        const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
        if (!result) throw new Error(`ESLint returned no result for ${file}`);
        const fatal = result.messages.find((message) => message.fatal);
        if (fatal) throw new Error(`${file} did not parse: ${fatal.message}`);
        return result.messages.map((message) => message.ruleId ?? 'unknown');
      });
    },
    { scope: 'file' },
  ],
});

const RESTRICTED = '@typescript-eslint/no-restricted-imports';
const RUNTIME_RESTRICTED = 'no-restricted-syntax';
const ENV_RESTRICTED = 'no-restricted-properties';

describe('import boundaries', () => {
  test('shared imports no app', async ({ violations }) => {
    expect(await violations('packages/shared/src/jobs/probe.ts', "import { createApp } from '@floodgate/api';\nexport { createApp };\n")).toEqual([RESTRICTED]);
    expect(await violations('packages/shared/src/jobs/probe.test.ts', "import { createApp } from '@floodgate/api';\nexport { createApp };\n")).toEqual([RESTRICTED]);
    expect(await violations('packages/shared/src/jobs/probe.ts', "import { z } from 'zod';\nexport { z };\n")).toEqual([]);
  });

  test('apps import no other app, not even its types, and not from their tests either', async ({ violations }) => {
    expect(await violations('apps/api/src/probe.ts', "import { defineHandler } from '@floodgate/worker/runtime';\nexport { defineHandler };\n")).toEqual([RESTRICTED]);
    expect(await violations('apps/worker/src/probe.ts', "import type { Served } from '@floodgate/dashboard';\nexport type { Served };\n")).toEqual([RESTRICTED]);
    expect(await violations('apps/dashboard/src/probe.test.ts', "import { startApi } from '@floodgate/api/testing';\nexport { startApi };\n")).toEqual([RESTRICTED]);
    expect(await violations('apps/api/src/probe.ts', "export const load = () => import('@floodgate/worker/runtime');\n")).toEqual([RUNTIME_RESTRICTED]);
    expect(await violations('apps/api/src/probe.ts', "import { catalog } from '@floodgate/shared/jobs';\nexport { catalog };\n")).toEqual([]);
  });

  test('the client imports only types from shared', async ({ violations }) => {
    expect(await violations('packages/client/src/probe.ts', "import { catalog } from '@floodgate/shared/jobs';\nexport { catalog };\n")).toEqual([RESTRICTED]);
    expect(await violations('packages/client/src/probe.ts', "import { type JobType, catalog } from '@floodgate/shared/jobs';\nexport type P = JobType | typeof catalog;\n")).toEqual([RESTRICTED]);
    expect(await violations('packages/client/src/probe.ts', "export { API_ERROR_CODES } from '@floodgate/shared/errors';\n")).toEqual([RESTRICTED]);
    expect(await violations('packages/client/src/probe.ts', "export const load = () => import('@floodgate/shared/jobs');\n")).toEqual([RUNTIME_RESTRICTED]);
    expect(await violations('packages/client/src/probe.ts', "import type { JobType } from '@floodgate/shared/jobs';\nexport type P = JobType;\n")).toEqual([]);
    expect(await violations('packages/client/src/probe.ts', "export type { ApiErrorCode } from '@floodgate/shared/errors';\n")).toEqual([]);
  });

  test('nothing deployed imports the testkit or the bench; an app’s own tests and harnesses may use the testkit', async ({ violations }) => {
    const testkit = "import { startRedis } from '@floodgate/testkit';\nexport { startRedis };\n";
    expect(await violations('apps/api/src/probe.ts', testkit)).toEqual([RESTRICTED]);
    expect(await violations('packages/shared/src/redis/probe.ts', testkit)).toEqual([RESTRICTED]);
    expect(await violations('packages/client/src/probe.ts', testkit)).toEqual([RESTRICTED]);
    expect(await violations('apps/dashboard/src/probe.ts', "import { runScenario } from '@floodgate/bench';\nexport { runScenario };\n")).toEqual([RESTRICTED]);
    expect(await violations('apps/worker/src/probe.test.ts', "import { runScenario } from '@floodgate/bench';\nexport { runScenario };\n")).toEqual([RESTRICTED]);
    expect(await violations('infra/scripts/probe.js', "const { startRedis } = require('@floodgate/testkit');\nmodule.exports = { startRedis };\n")).toEqual([RUNTIME_RESTRICTED]);
    expect(await violations('ecosystem.config.js', "const bench = require('@floodgate/bench');\nmodule.exports = { bench };\n")).toEqual([RUNTIME_RESTRICTED]);
    expect(await violations('apps/api/src/probe.test.ts', testkit)).toEqual([]);
    expect(await violations('apps/worker/src/testing/probe.ts', testkit)).toEqual([]);
    expect(await violations('packages/bench/src/probe.ts', testkit)).toEqual([]);
  });

  test('no package is entered past its exports map by name', async ({ violations }) => {
    expect(await violations('test/e2e/probe.ts', "import { catalog } from '@floodgate/shared/src/jobs';\nexport { catalog };\n")).toEqual([RESTRICTED]);
    expect(await violations('packages/bench/src/probe.ts', "import { createApp } from '@floodgate/api/dist/app';\nexport { createApp };\n")).toEqual([RESTRICTED]);
  });

  // Real files: these rules follow imports on disk. The repo's own lint ignores the fixtures.
  it('no package is entered by a relative path, and no import cycles', async () => {
    const strict = new ESLint({ cwd: root, ignore: false });
    const fixtures = ['cycle/first.ts', 'cycle/second.ts', 'relative-into-worker.ts'];
    const results = await strict.lintFiles(fixtures.map((fixture) => `test/lint/fixtures/${fixture}`));
    expect(results.map((result) => result.messages.map((message) => message.ruleId))).toEqual([
      ['import/no-cycle'],
      ['import/no-cycle'],
      ['import/no-relative-packages'],
    ]);
  });
});

// Imports of modules that do not exist: the rules match on the specifier, and
// import/no-cycle cannot follow a real file back to a probe that is not on disk.
describe('layers inside an app', () => {
  test("the API's lower layers import no route, lean path or OpenAPI module", async ({ violations }) => {
    expect(await violations('apps/api/src/enqueue/probe.ts', "import { jobsHandlers } from '../routes/some-route';\nexport { jobsHandlers };\n")).toEqual(['no-restricted-imports']);
    expect(await violations('apps/api/src/http/probe.ts', "import { buildOpenApiDocument } from '../openapi/some-document';\nexport { buildOpenApiDocument };\n")).toEqual(['no-restricted-imports']);
    expect(await violations('apps/api/src/enqueue/probe.ts', "import { jobLink } from '../http/some-helper';\nexport { jobLink };\n")).toEqual([]);
    expect(await violations('apps/api/src/routes/probe.ts', "import { jobLink } from '../http/some-helper';\nexport { jobLink };\n")).toEqual([]);
  });

  test("the worker's job functions import packages only", async ({ violations }) => {
    expect(await violations('apps/worker/src/job-functions/probe.ts', "import { JobError } from '../running/some-runner';\nexport { JobError };\n")).toEqual(['no-restricted-imports']);
    expect(await violations('apps/worker/src/job-functions/probe.ts', "import { z } from 'zod';\nexport { z };\n")).toEqual([]);
  });
});

describe('tests', () => {
  test('set up with fixtures, not hooks', async ({ violations }) => {
    for (const hook of ['beforeAll', 'afterAll', 'beforeEach', 'afterEach']) {
      expect(await violations('apps/api/src/tests/probe.test.ts', `import { ${hook}, it } from 'vitest';\n${hook}(() => undefined);\nit('runs', () => undefined);\n`)).toEqual(['no-restricted-imports']);
    }
    expect(await violations('test/e2e/probe.ts', "import { afterEach } from 'vitest';\nexport { afterEach };\n")).toEqual(['no-restricted-imports']);
    expect(await violations('apps/api/src/tests/probe.test.ts', "import { it } from 'vitest';\nit('runs', () => undefined);\n")).toEqual([]);
  });
});

describe('configuration and promises', () => {
  test('process.env is read only in env modules', async ({ violations }) => {
    const read = 'export const level = process.env.LOG_LEVEL;\n';
    expect(await violations('apps/api/src/probe.ts', read)).toEqual([ENV_RESTRICTED]);
    expect(await violations('packages/shared/src/jobs/probe.ts', 'const { env } = process;\nexport const level = env.LOG_LEVEL;\n')).toEqual([ENV_RESTRICTED]);
    expect(await violations('apps/api/src/env.ts', read)).toEqual([]);
    expect(await violations('apps/worker/src/env-schema.ts', read)).toEqual([]);
    expect(await violations('packages/shared/src/env/probe.ts', read)).toEqual([]);
    expect(await violations('apps/api/src/probe.test.ts', read)).toEqual([]);
  });

  // Type-aware rules: real files in a tsconfig of their own (fixtures/promises/tsconfig.json).
  it('no floating promise, no promise where a void callback is expected', async () => {
    const strict = new ESLint({ cwd: root, ignore: false });
    const fixtures = ['promises/floating.ts', 'promises/misused.ts'];
    const results = await strict.lintFiles(fixtures.map((fixture) => `test/lint/fixtures/${fixture}`));
    expect(results.map((result) => result.messages.map((message) => message.ruleId))).toEqual([
      ['@typescript-eslint/no-floating-promises'],
      ['@typescript-eslint/no-misused-promises'],
    ]);
  });
});
