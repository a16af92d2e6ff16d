import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The built entry point of a floodgate app (`dist/index.js`). Found on the
 * module search path rather than with `require.resolve('…/package.json')`, so
 * it works whatever the app's `exports` map lists.
 */
export function appEntry(app: 'api' | 'worker'): string {
  const name = `@floodgate/${app}`;
  for (const dir of require.resolve.paths(name) ?? []) {
    if (existsSync(join(dir, name, 'package.json'))) return join(dir, name, 'dist/index.js');
  }
  throw new Error(`${name} is not installed where @floodgate/bench can find it`);
}
