import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { boolEnv, intEnv, optionalStringEnv } from './coercers';
import { envReference, renderEnvExample, renderEnvTable, renderKnownVariables } from './env-reference';

const PORT = intEnv(3000).describe('Port it listens on.');
const api = z.object({ PORT, KEYS: optionalStringEnv().describe('Keys | as JSON.'), FLAGS: z.array(z.number()).default([403, 429]).describe('Statuses.') });
const worker = z.object({ PORT, DEBUG: boolEnv(false).describe('Say more.'), PER_TYPE: z.record(z.string(), z.number()).default({}).describe('Per type.') });

describe('envReference', () => {
  it('lists each variable once, by name, with its default as it would be written and every reader', () => {
    expect(envReference([{ reader: 'api', schema: api }, { reader: 'worker', schema: worker }])).toEqual([
      { name: 'DEBUG', defaultValue: 'false', readers: ['worker'], description: 'Say more.' },
      { name: 'FLAGS', defaultValue: '403,429', readers: ['api'], description: 'Statuses.' },
      { name: 'KEYS', defaultValue: undefined, readers: ['api'], description: 'Keys | as JSON.' },
      { name: 'PER_TYPE', defaultValue: undefined, readers: ['worker'], description: 'Per type.' },
      { name: 'PORT', defaultValue: '3000', readers: ['api', 'worker'], description: 'Port it listens on.' },
    ]);
  });

  it('refuses a variable without a one-line description, naming it', () => {
    expect(() => envReference([{ reader: 'api', schema: z.object({ SILENT: intEnv(1) }) }])).toThrow(/SILENT \(read by api\) has no description/);
    expect(() => envReference([{ reader: 'api', schema: z.object({ LONG: intEnv(1).describe('one\ntwo') }) }])).toThrow(/LONG: its description must be one line/);
  });

  it('refuses one name declared twice with different defaults or descriptions', () => {
    const other = z.object({ PORT: intEnv(4000).describe('Port it listens on.') });
    expect(() => envReference([{ reader: 'api', schema: api }, { reader: 'worker', schema: other }])).toThrow(/PORT is declared twice \(api and worker\)/);
  });
});

describe('the renderings', () => {
  const variables = envReference([{ reader: 'api', schema: api }, { reader: 'worker', schema: worker }]);

  it('.env.example: every variable commented out at its default, under its description', () => {
    const text = renderEnvExample(variables);
    expect(text).toContain('# Port it listens on. Read by: api, worker.\n# PORT=3000\n');
    expect(text).toContain('# Keys | as JSON. Read by: api.\n# KEYS=\n');
    expect(text.split('\n').filter((line) => line !== '' && !line.startsWith('#'))).toEqual([]);
  });

  it('the Markdown table: one row per variable, pipes escaped, unset shown as such', () => {
    const table = renderEnvTable(variables);
    expect(table).toContain('| `PORT` | `3000` | api, worker | Port it listens on. |');
    expect(table).toContain('| `KEYS` | unset | api | Keys \\| as JSON. |');
    expect(table.split('\n').filter((line) => line.startsWith('| `'))).toHaveLength(variables.length);
  });

  it('known-variables.ts: the names', () => {
    expect(renderKnownVariables(variables)).toContain("  'DEBUG',\n  'FLAGS',\n  'KEYS',\n  'PER_TYPE',\n  'PORT',\n];");
  });
});
