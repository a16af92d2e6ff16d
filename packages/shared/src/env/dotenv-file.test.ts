import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDotEnvFile } from './dotenv-file';

/** A fresh .env with `text` (each test its own file: a file is applied once per process). */
function dotEnv(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'fg-dotenv-')), '.env');
  writeFileSync(file, text);
  return file;
}

describe('loadDotEnvFile', () => {
  it('fills what the environment leaves unset, and the environment wins, even when blank', () => {
    const file = dotEnv('# a comment\nAPI_PORT=4000\nQUEUE_PREFIX="from file"\nLOG_LEVEL=debug\nexport REDIS_PORT=7000\n');
    const target: Record<string, string | undefined> = { QUEUE_PREFIX: 'from env', LOG_LEVEL: '' };
    expect(loadDotEnvFile(file, target)).toEqual(['API_PORT', 'REDIS_PORT']);
    expect(target).toEqual({ API_PORT: '4000', QUEUE_PREFIX: 'from env', LOG_LEVEL: '', REDIS_PORT: '7000' });
  });

  it('reads a file once per process', () => {
    const file = dotEnv('API_PORT=4000\n');
    const first: Record<string, string | undefined> = {};
    const second: Record<string, string | undefined> = {};
    expect(loadDotEnvFile(file, first)).toEqual(['API_PORT']);
    expect(loadDotEnvFile(file, second)).toBeUndefined();
    expect(second).toEqual({});
  });

  it('is fine without a file', () => {
    const target: Record<string, string | undefined> = {};
    expect(loadDotEnvFile(join(tmpdir(), 'no-such-dir-fg', '.env'), target)).toBeUndefined();
    expect(target).toEqual({});
  });

  it('leaves the file alone for the processes a vitest run starts', () => {
    const target: Record<string, string | undefined> = { VITEST: 'true' };
    expect(loadDotEnvFile(dotEnv('API_PORT=4000\n'), target)).toBeUndefined();
    expect(target).toEqual({ VITEST: 'true' });
  });
});
