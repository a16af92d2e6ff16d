import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test as base } from 'vitest';

/** The built CLI (`npm run keys`), run as people run it, on a key file of the test's own. */
const CLI = resolve(__dirname, '../dist/keys-cli.js');

const test = base.extend<{ keys: (...args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>; file: string }>({
  // eslint-disable-next-line no-empty-pattern
  file: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'floodgate-keys-'));
    await use(join(dir, 'api-keys.json'));
    await rm(dir, { recursive: true, force: true });
  },
  keys: async ({ file }, use) => {
    await use(async (...args) => {
      try {
        const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, API_KEYS_FILE: file } });
        return { code: 0, stdout, stderr };
      } catch (err) {
        const failed = err as { code: number; stdout: string; stderr: string };
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
      }
    });
  },
});

describe('npm run keys', () => {
  test("creates a key with a weight, changes it, lists it, and refuses a weight out of range", async ({ keys, file }) => {
    const created = await keys('create', '--scopes', 'jobs:write', '--name', 'billing', '--weight', '3');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^fg_[0-9a-f]{12}_/);
    const [record] = JSON.parse(await readFile(file, 'utf8')) as Array<{ id: string; weight: number }>;
    expect(record?.weight).toBe(3);
    expect((await keys('weight', record!.id, '5')).code).toBe(0);
    expect((await keys('list')).stdout).toMatch(new RegExp(`${record!.id} .*weight 5 .*billing`));
    const refused = await keys('weight', record!.id, '0');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('A weight is a whole number from 1 to 1000');
    expect((await keys('weight', 'nosuchkey123', '2')).code).toBe(2);
  });
});
