import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * .env.example, docs/configuration.md's variable table and known-variables.ts
 * are generated from the env schemas (`npm run env:example`): regenerated in
 * memory from the builds (`npm test` builds first), they must equal what is committed.
 */
const root = path.resolve(__dirname, '../..');
const script = path.join(root, 'infra/scripts/env-reference.js');
const GENERATED = ['.env.example', 'docs/configuration.md', 'packages/shared/src/env/known-variables.ts'];

/** Runs the generator's --check against `dir`: its exit code and what it said. */
async function check(dir: string): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await promisify(execFile)(process.execPath, [script, '--check', '--root', dir], { cwd: root });
    return { code: 0, stderr };
  } catch (err) {
    const failed = err as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, stderr: failed.stderr ?? String(err) };
  }
}

describe('the env reference', () => {
  it('is what the env schemas generate', async () => {
    const { code, stderr } = await check(root);
    if (code !== 0) expect.fail(`${stderr}(regenerate with npm run env:example and commit the result)`);
  });

  it('fails naming each file that drifted from the schemas', async () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'fg-env-reference-'));
    for (const file of GENERATED) {
      mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
      cpSync(path.join(root, file), path.join(copy, file));
    }
    expect((await check(copy)).code).toBe(0);
    const example = path.join(copy, '.env.example');
    writeFileSync(example, readFileSync(example, 'utf8').replace('# WORKER_CONCURRENCY=', '# WORKER_CONCURENCY='));
    const table = path.join(copy, 'docs/configuration.md');
    writeFileSync(table, readFileSync(table, 'utf8').replace(/^\| `TRUST_PROXY` .*\n/m, ''));
    const { code, stderr } = await check(copy);
    expect(code).toBe(1);
    expect(stderr).toContain('.env.example is out of date');
    expect(stderr).toContain('docs/configuration.md is out of date');
    expect(stderr).not.toContain('known-variables.ts');
  });
});
