import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startApi, type ApiHarness } from '@floodgate/api/testing';
import { oncePerFile } from '@floodgate/testkit/fixtures';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDir = join(__dirname, '..');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Record<string, unknown>;

/** Every file of the build of the package in `dir`, relative to its dist/. */
const builtFiles = (dir: string) => readdirSync(join(dir, 'dist'), { recursive: true, encoding: 'utf8' });

/** Every module a built file names (`from '…'`, `require('…')`, `import('…')`). */
function specifiersIn(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s+|\brequire\s*\(\s*|\bimport\s*\(\s*)['"]([^'"]+)['"]/g)].map((match) => match[1] as string);
}

/**
 * `built`: a copy of this package, built by its own build script (once for the file, by
 * the first test that asks). A copy, so the package's own dist/, which other tests pack
 * and import meanwhile, is never half-built. `consumer`: each test's own project that
 * uses it, as a user would, by its name; `api`: one real API for the file to call.
 */
const test = it.extend<{ built: string; consumer: string; api: ApiHarness }>({
  built: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      // The copy keeps the package's depth, so its tsconfig's `extends ../../tsconfig.base.json` still resolves.
      const root = mkdtempSync(join(tmpdir(), 'floodgate-client-build-'));
      const copy = join(root, 'packages', 'client');
      for (const entry of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'tsconfig.esm.json', 'mark-module-formats.mjs', 'README.md', 'src']) {
        cpSync(join(packageDir, entry), join(copy, entry), { recursive: true });
      }
      cpSync(join(packageDir, '..', '..', 'tsconfig.base.json'), join(root, 'tsconfig.base.json'));
      symlinkSync(join(packageDir, 'node_modules'), join(copy, 'node_modules'), 'dir');
      const bin = join(packageDir, 'node_modules', '.bin');
      await run('sh', ['-c', String((manifest.scripts as Record<string, string>).build)], { cwd: copy, env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } });
      await use(copy);
      rmSync(root, { recursive: true, force: true });
    },
    { scope: 'file' },
  ],
  consumer: async ({ built }, use) => {
    const consumer = mkdtempSync(join(tmpdir(), 'floodgate-client-consumer-'));
    mkdirSync(join(consumer, 'node_modules', '@floodgate'), { recursive: true });
    symlinkSync(built, join(consumer, 'node_modules', '@floodgate', 'client'), 'dir');
    await use(consumer);
    rmSync(consumer, { recursive: true, force: true });
  },
  api: oncePerFile(() => startApi()),
});

/**
 * The build, the API, tsc: seconds each, many on a busy machine. Given to each test: one
 * made by `it.extend` does not take its describe's timeout (vitest 3.2).
 */
const slow = { timeout: 120_000 };

/**
 * The package as it is published: built by its own build script, then used
 * from a project of its own, as a user would, by its name through the `exports`
 * map: CommonJS and ES modules, JavaScript and TypeScript.
 */
describe('the published @floodgate/client', () => {
  it('is public, and depends on nothing at run time', () => {
    expect(manifest).toMatchObject({ name: '@floodgate/client', version: '0.1.0', private: false, engines: { node: expect.stringMatching(/^>=20/) } });
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies']) expect(manifest[field], field).toBeUndefined();
    expect(manifest.files).toEqual(['dist', 'README.md']);
  });

  test('names no module but its own files in its build, types included: nothing of @floodgate, not even Node built-ins', slow, ({ built }) => {
    const files = builtFiles(built).filter((file) => /\.(c|m)?js$|\.d\.ts$/.test(file));
    expect(files).toContain(join('cjs', 'index.d.ts'));
    expect(files).toContain(join('esm', 'index.js'));
    const foreign = files.flatMap((file) => specifiersIn(readFileSync(join(built, 'dist', file), 'utf8')).filter((name) => !name.startsWith('./')).map((name) => `${file}: ${name}`));
    expect(foreign).toEqual([]);
    // And nothing test-only ships.
    expect(builtFiles(built).filter((file) => /\.test\.|test-support/.test(file))).toEqual([]);
  });

  test('works when required from CommonJS, and calls the API', slow, async ({ built, consumer, api }) => {
    writeFileSync(
      join(consumer, 'use.cjs'),
      `const { FloodgateClient, FloodgateApiError } = require('@floodgate/client');
       const client = new FloodgateClient({ baseUrl: process.argv[2], apiKey: process.argv[3] });
       client.listJobTypes().then((types) => console.log(JSON.stringify({ resolved: require.resolve('@floodgate/client'), format: typeof module, types: types.map((t) => t.type).sort(), error: typeof FloodgateApiError })));`,
    );
    const { stdout } = await run(process.execPath, ['use.cjs', api.url, api.apiKey], { cwd: consumer });
    const { resolved, ...answer } = JSON.parse(stdout) as { resolved: string };
    expect(answer).toEqual({ format: 'object', types: ['compute', 'page-extract', 'sentiment'], error: 'function' });
    // Resolved by the consumer itself: this file, inside the package, would resolve the name to its own directory.
    expect(resolved).toBe(join(built, 'dist', 'cjs', 'index.js'));
  });

  test('works when imported as an ES module, and calls the API', slow, async ({ consumer, api }) => {
    writeFileSync(
      join(consumer, 'use.mjs'),
      `import { FloodgateClient, isFloodgateApiError } from '@floodgate/client';
       const client = new FloodgateClient({ baseUrl: process.argv[2], apiKey: process.argv[3] });
       const types = await client.listJobTypes();
       const missing = await client.get('sentiment', 'no-such-job').catch((err) => err);
       console.log(JSON.stringify({ url: import.meta.resolve('@floodgate/client'), types: types.map((t) => t.type).sort(), notFound: isFloodgateApiError(missing, 'job_not_found') }));`,
    );
    const { stdout } = await run(process.execPath, ['use.mjs', api.url, api.apiKey], { cwd: consumer });
    const answer = JSON.parse(stdout) as { url: string; types: string[]; notFound: boolean };
    expect(answer.url).toMatch(/\/dist\/esm\/index\.js$/);
    expect(answer).toMatchObject({ types: ['compute', 'page-extract', 'sentiment'], notFound: true });
  });

  test("types both ways in for TypeScript (NodeNext): the import condition's types and the require condition's", slow, async ({ consumer }) => {
    const use = `import { FloodgateClient, type JobMapOf } from '@floodgate/client';
      type Jobs = { sum: { payload: { numbers: number[] }; result: { sum: number } } };
      const client = new FloodgateClient<Jobs>({ baseUrl: 'http://127.0.0.1:1' });
      export const enqueued = client.enqueue('sum', { numbers: [1, 2] });
      // @ts-expect-error the payload is typed by the map
      export const wrong = client.enqueue('sum', { numbers: 'no' });
      export type Derived = JobMapOf<{ a: { payload: { _input: 1; _output: 1 }; result: { _input: 2; _output: 2 } } }>;`;
    writeFileSync(join(consumer, 'use-esm.mts'), use);
    writeFileSync(join(consumer, 'use-cjs.cts'), use);
    // A browser's lib and no @types/node: the client's types need neither Node's nor any package's.
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { noEmit: true, strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'], types: [], traceResolution: true },
        files: ['use-esm.mts', 'use-cjs.cts'],
      }),
    );
    const tsc = require.resolve('typescript/bin/tsc', { paths: [packageDir] });
    const { stdout } = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: consumer }).catch((err: { stdout?: string }) => {
      throw new Error(`tsc failed:\n${(err.stdout ?? '').split('\n').filter((line) => /error TS/.test(line)).join('\n')}`);
    });
    expect(stdout).toMatch(/'@floodgate\/client' was successfully resolved to '[^']*\/dist\/esm\/index\.d\.ts'/);
    expect(stdout).toMatch(/'@floodgate\/client' was successfully resolved to '[^']*\/dist\/cjs\/index\.d\.ts'/);
  });
});
