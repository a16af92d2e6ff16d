import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_ERROR_CODES } from '@floodgate/shared/errors';
import { describe, expect, it } from 'vitest';
import { benchTable, errorTable, generatedFiles, REGENERATE, repoRoot as root, routeTable, withBlock } from './generated-docs';

const read = (path: string) => (existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : undefined);

describe('documentation generated from the code', () => {
  it.each(generatedFiles().map((file) => [file.path, file] as const))('%s is what the code generates', (path, file) => {
    const current = read(path);
    expect(current, `${path} is missing: run ${REGENERATE}`).toBeDefined();
    // A plain equality, not toBe's diff of two long strings: the message says what to do.
    if (file.render(current) !== current) expect.fail(`${path} is out of date with the code: run ${REGENERATE} and commit the result`);
  });

  it('lists every error code of the registry once, with its status and description', () => {
    const table = errorTable();
    for (const [code, { status }] of Object.entries(API_ERROR_CODES)) {
      expect(table.match(new RegExp(`^\\| ${status} \\| \`${code}\` \\| .+ \\|$`, 'gm')), `${code} (${status})`).toHaveLength(1);
    }
  });

  it('folds the paths of every job type into one :type row, with the scope the API asks for', () => {
    const table = routeTable();
    expect(table).toContain('| POST | `/v1/jobs/:type` | `jobs:write:<type>` | Enqueue one `:type` job |');
    expect(table).toContain('| DELETE | `/v1/jobs/:type/:id` | `admin` |');
    expect(table).toContain('| GET | `/v1/jobs/:type/:id` | `jobs:read` |');
    expect(table).toContain('| GET | `/healthz` | open |');
    expect(table).not.toMatch(/\/(sentiment|compute|page-extract)\b|one (sentiment|compute|page-extract) job/);
  });

  it('takes the bench table, its ratio and machine lines from the latest run, and not its notes', () => {
    const latest = '| scenario | metric |\n|---|---|\n| flood | lost |\n\n- flood, lost: a note\n\nRatio: how to read it.\nMachine: 2 cores.\n';
    expect(benchTable(latest).split('\n').slice(1)).toEqual(['| scenario | metric |', '|---|---|', '| flood | lost |', '', 'Ratio: how to read it.', '', 'Machine: 2 cores.']);
  });

  it('replaces only what lies between the markers, and names the markers when they are missing', () => {
    const text = 'before\n<!-- generated:x -->\nold\n<!-- /generated:x -->\nafter\n';
    expect(withBlock(text, 'f.md', 'x', 'new')).toBe('before\n<!-- generated:x -->\nnew\n<!-- /generated:x -->\nafter\n');
    expect(() => withBlock('no markers', 'f.md', 'x', 'new')).toThrow(/f\.md has no <!-- generated:x -->/);
  });
});
