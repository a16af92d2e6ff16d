import { dirname, join } from 'node:path';

/** The built entry point of a floodgate app (`dist/index.js`). */
export function appEntry(app: 'api' | 'worker'): string {
  return join(dirname(require.resolve(`@floodgate/${app}/package.json`)), 'dist/index.js');
}
