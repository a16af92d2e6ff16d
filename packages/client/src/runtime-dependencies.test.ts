import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every `import`/`export ... from` of a file, with whether it is type-only. */
const FROM = /^(?:import|export)\s+(type\s+)?[^;]*?\sfrom\s+'([^']+)'/gm;

describe('@floodgate/client at runtime', () => {
  it('requires nothing but its own files: from other packages, only types are imported', () => {
    const sources = readdirSync(__dirname).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
    expect(sources).toContain('floodgate-client.ts');
    const valueImports = sources.flatMap((file) =>
      [...readFileSync(join(__dirname, file), 'utf8').matchAll(FROM)]
        .filter(([, typeOnly, from]) => !typeOnly && !from?.startsWith('./'))
        .map(([statement]) => `${file}: ${statement}`),
    );
    expect(valueImports).toEqual([]);
  });
});
