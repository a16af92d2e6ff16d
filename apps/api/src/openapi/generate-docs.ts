/**
 * `npm run docs:generate`: writes openapi.json and the generated tables of the
 * docs (generated-docs.ts) from the code. `--check` writes nothing and exits 1
 * naming each file that is out of date.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedFiles, REGENERATE, repoRoot as root } from './generated-docs';
const check = process.argv.includes('--check');
let stale = 0;
for (const file of generatedFiles()) {
  const path = join(root, file.path);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  const next = file.render(current);
  if (next === current) continue;
  if (check) {
    process.stderr.write(`${file.path} is out of date: run ${REGENERATE}\n`);
    stale++;
  } else {
    writeFileSync(path, next);
    process.stdout.write(`wrote ${file.path}\n`);
  }
}
if (stale > 0) process.exit(1);
