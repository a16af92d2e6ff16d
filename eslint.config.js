// @ts-check
// Lint for the whole repo (`pnpm run lint`, run by `npm test`). Two jobs: the import
// boundaries of DESIGN.md ("Conventions"), and a few uncontroversial correctness rules.
// Two type-aware rules (promises nobody awaits or that land where a void callback is
// expected) for the TypeScript that has a tsconfig; `pnpm run typecheck` covers the rest
// of types. process.env is read only in env modules, and tests and their harnesses set up
// with fixtures (vitest's test.extend), never beforeAll/afterAll/beforeEach/afterEach.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const importPlugin = require('eslint-plugin-import');
const globals = require('globals');

const APPS = ['api', 'worker', 'dashboard'];

/** Files that never ship: colocated tests, the apps' test harnesses, the root tests. */
const TEST_FILES = ['**/*.test.ts', 'apps/*/src/testing/**', 'test/**'];

/**
 * One forbidden floodgate import: `name` is a package, or a package and subpath
 * (`@floodgate/api`), matched with any subpath after it.
 * @typedef {{ name: string, why: string, allowTypes?: boolean }} Forbidden
 */

/**
 * The rules that forbid `forbidden` for one group of files: static imports and
 * re-exports (with `import type` allowed where the entry says so), and
 * `require()`/`import()` of a literal, so CommonJS scripts are held to it too.
 * Flat config replaces (does not merge) a rule's options when two blocks match a file,
 * so every group below is disjoint and lists all that it forbids.
 * @param {Forbidden[]} forbidden
 */
function forbid(forbidden) {
  const all = [...forbidden, ...REACH_IN];
  const patterns = all.map(({ name, why, allowTypes }) => ({
    regex: `^${name}(/|$)`,
    caseSensitive: true,
    message: why,
    ...(allowTypes ? { allowTypeImports: true } : {}),
  }));
  // require() and import() load at run time, so even a types-only entry forbids them.
  // esquery regexes cannot hold a slash: `.` stands for it.
  const runtime = all.flatMap(({ name, why }) => {
    const source = `/^${name.replace(/[/]/g, '.')}(.|$)/`;
    return [
      { selector: `CallExpression[callee.name="require"] > Literal.arguments[value=${source}]`, message: why },
      { selector: `ImportExpression > Literal.source[value=${source}]`, message: why },
    ];
  });
  return {
    '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
    'no-restricted-syntax': ['error', ...runtime],
  };
}

/** Forbidden everywhere: another package's insides, past its `exports` map. */
const REACH_IN = [
  ...['api', 'worker', 'dashboard', 'shared', 'client', 'testkit', 'bench'].flatMap((pkg) => [
    { name: `@floodgate/${pkg}/src`, why: 'Import a package through its exports map, never its src/.' },
    { name: `@floodgate/${pkg}/dist`, why: 'Import a package through its exports map, never its dist/.' },
  ]),
];

/** @param {string} app @returns {Forbidden[]} */
const otherApps = (app) =>
  APPS.filter((other) => other !== app).map((other) => ({
    name: `@floodgate/${other}`,
    why: `Apps import no other app: @floodgate/${app} must not import @floodgate/${other} (share it through @floodgate/shared).`,
  }));
/** @type {Forbidden[]} */
const allApps = APPS.map((app) => ({ name: `@floodgate/${app}`, why: `@floodgate/shared and @floodgate/client import no app (@floodgate/${app}).` }));
/** @type {Forbidden} */
const bench = { name: '@floodgate/bench', why: 'Nothing but the bench imports @floodgate/bench.' };
/** @type {Forbidden} */
const testkit = { name: '@floodgate/testkit', why: 'Deployed code imports no test helper: @floodgate/testkit is for tests (and src/testing/ harnesses) only.' };
/** @type {Forbidden} */
const client = { name: '@floodgate/client', why: '@floodgate/shared imports no consumer of it (@floodgate/client).' };
/** @type {Forbidden} */
const sharedAtRuntime = {
  name: '@floodgate/shared',
  why: '@floodgate/client has no runtime dependencies: import only types from @floodgate/shared (`import type`).',
  allowTypes: true,
};

/** Each group of files and what it must not import (disjoint; see `forbid`). */
const boundaries = [
  { files: ['packages/shared/**'], ignores: TEST_FILES, rules: forbid([...allApps, client, bench, testkit]) },
  { files: ['packages/shared/**/*.test.ts'], rules: forbid([...allApps, client, bench]) },
  { files: ['packages/client/**'], ignores: TEST_FILES, rules: forbid([...allApps, bench, testkit, sharedAtRuntime]) },
  // The client's tests drive a real API and worker (from their harness and runtime exports).
  { files: ['packages/client/**/*.test.ts'], rules: forbid([bench]) },
  {
    files: ['packages/testkit/**'],
    rules: forbid([...allApps, client, bench, { name: '@floodgate/shared', why: '@floodgate/testkit stands alone: it imports no floodgate package.' }]),
  },
  ...APPS.flatMap((app) => [
    { files: [`apps/${app}/**`], ignores: TEST_FILES, rules: forbid([...otherApps(app), bench, testkit]) },
    // An app's own tests and src/testing/ harnesses may use the testkit.
    { files: [`apps/${app}/**/*.test.ts`, `apps/${app}/src/testing/**`], rules: forbid([...otherApps(app), bench]) },
  ]),
  { files: ['infra/**', 'ecosystem.config.js'], rules: forbid([bench, testkit]) },
  // The bench and the root tests may import anything but another package's insides.
  { files: ['packages/bench/**', 'test/**'], rules: forbid([]) },
  // Layers inside an app: the API's HTTP adapters (routes, the lean path) and its OpenAPI
  // document sit on top, and nothing under them imports them back.
  {
    files: ['apps/api/src/{admission,auth,coalesce,durability,enqueue,errors,http,metrics,overview,redis,search,waiting}/**'],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/routes/*', '**/fast-path/*', '**/openapi/*'], message: 'A lower layer of the API imports no HTTP adapter or the OpenAPI document: pass what it needs down.' }] },
      ],
    },
  },
  // A CPU-bound type's work is a pure function the pool and the handlers import from below.
  {
    files: ['apps/worker/src/job-functions/**'],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../*'], message: "A job function imports packages only, never the worker's other rooms." }] }],
    },
  },
];

module.exports = tseslint.config(
  {
    // test/lint/fixtures hold code that breaks the rules on purpose (boundaries.test.ts lints it).
    ignores: ['**/node_modules/**', '**/dist/**', '**/.turbo/**', '.data/**', 'test-output/**', 'test/lint/fixtures/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { import: importPlugin },
    settings: {
      'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } },
      'import/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import/extensions': ['.ts', '.js'],
      'import/ignore': ['node_modules'],
    },
    rules: {
      // A cycle between modules makes load order matter; `import type` cycles are free and ignored.
      'import/no-cycle': ['error', { ignoreExternal: true }],
      // A relative path into another package would skip its exports map (and its build).
      'import/no-relative-packages': 'error',
      'import/no-duplicates': 'error',
      // A `let` that a callback reads before its one assignment cannot be a const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Scripts a page loads as files (the overview page): browser globals, and uPlot's, which its own file defines.
    files: ['apps/*/public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser, uPlot: 'readonly' } },
  },
  {
    // Type-aware: every file here belongs to a tsconfig (apps/*, packages/*, test/e2e, test/lint,
    // and the promise fixtures' own), which the project service finds as the nearest tsconfig.json.
    files: ['apps/*/src/**/*.ts', 'packages/*/src/**/*.ts', 'test/e2e/**/*.ts', 'test/lint/*.ts', 'test/lint/fixtures/promises/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // Configuration is parsed once, in the env modules; everything else is handed what it needs.
    files: ['apps/*/src/**', 'packages/*/src/**'],
    ignores: [
      ...TEST_FILES,
      '**/env.ts',
      '**/env-schema.ts',
      'packages/shared/src/env/**',
      '**/testing/**',
      '**/test-support/**',
      'packages/testkit/**',
      // The bench harness starts and configures the processes it measures.
      'packages/bench/**',
    ],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read process.env only in an env module (env.ts, env-schema.ts, packages/shared/src/env/): pass configuration in.' },
      ],
    },
  },
  {
    // Tests set up with fixtures (vitest's test.extend), so each runs alone and in any order.
    files: [...TEST_FILES, '**/testing/**', '**/test-support/**', 'packages/testkit/src/fixtures/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vitest', importNames: ['beforeAll', 'afterAll', 'beforeEach', 'afterEach'], message: 'Set up with a fixture (test.extend), not a hook: a test then runs alone and in any order.' }] },
      ],
    },
  },
  ...boundaries,
);
