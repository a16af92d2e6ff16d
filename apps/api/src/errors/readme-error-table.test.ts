import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_ERROR_CODES } from '@floodgate/shared/errors';
import { describe, expect, it } from 'vitest';

describe('the README error table', () => {
  it('has a row for every code of the registry, with its status', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', '..', 'README.md'), 'utf8');
    // Rows of the table: `| 404 | `job_not_found` | when |`, or several codes of one status in one row
    // (a code named only in prose elsewhere does not count).
    const rows = new Map<string, number[]>();
    for (const [, status, codes] of readme.matchAll(/^\| (\d{3}) \| ((?:`[a-z_]+`(?:, )?)+)/gm)) {
      for (const [, code] of codes!.matchAll(/`([a-z_]+)`/g)) rows.set(code!, [...(rows.get(code!) ?? []), Number(status)]);
    }
    for (const [code, { status }] of Object.entries(API_ERROR_CODES)) expect(rows.get(code) ?? [], `${code} has no table row with status ${status}`).toContain(status);
  });
});
