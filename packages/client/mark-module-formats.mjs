// Each build says its own module format, so that Node reads dist/esm as ES modules and
// dist/cjs as CommonJS whatever the package's own "type" is (the `exports` map picks one).
import { writeFileSync } from 'node:fs';

writeFileSync('dist/cjs/package.json', `${JSON.stringify({ type: 'commonjs' })}\n`);
writeFileSync('dist/esm/package.json', `${JSON.stringify({ type: 'module' })}\n`);
