import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_ERROR_CODES, type ApiErrorCode } from '@floodgate/shared/errors';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('error codes', () => {
  it('answers each code with the status its registry entry says (what OpenAPI and the client are told)', () => {
    const used = sources(SRC).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/(?:HttpError\(|status: )(\d{3}),\s*(?:code: )?'([a-z_]+)'/g)].map((m) => ({
        file,
        status: Number(m[1]),
        code: m[2] as ApiErrorCode,
      })),
    );
    expect(used.length).toBeGreaterThan(20);
    for (const { file, status, code } of used) expect(status, `${code} in ${file}`).toBe(API_ERROR_CODES[code].status);
  });

  it('are all in the README error table', () => {
    const readme = readFileSync(join(SRC, '..', '..', '..', 'README.md'), 'utf8');
    for (const code of Object.keys(API_ERROR_CODES)) expect(readme, code).toContain(`\`${code}\``);
  });
});
