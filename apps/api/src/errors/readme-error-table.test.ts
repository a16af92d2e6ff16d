import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_ERROR_CODES } from '@floodgate/shared/errors';
import { describe, expect, it } from 'vitest';

describe('the README error table', () => {
  it('lists every code of the registry', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', '..', 'README.md'), 'utf8');
    for (const code of Object.keys(API_ERROR_CODES)) expect(readme, code).toContain(`\`${code}\``);
  });
});
