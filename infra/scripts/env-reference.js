// npm run env:example: the files that list every environment variable, from the
// env schemas themselves (after a build): .env.example, the table in
// docs/configuration.md, and the names the unknown-variable warning checks
// against (packages/shared/src/env/known-variables.ts).
//   node infra/scripts/env-reference.js            writes the files that changed
//   node infra/scripts/env-reference.js --check    writes nothing; exits 1 naming each stale file
//   --root DIR                                     reads and writes under DIR instead of the repo
// A test in npm test runs --check (test/lint/env-reference.test.ts).
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { envReference, renderEnvExample, renderEnvTable, renderKnownVariables } = require('@floodgate/shared/env');
const { LaunchEnv } = require('@floodgate/shared/stack');

const repo = path.resolve(__dirname, '../..');
const REGENERATE = 'npm run env:example';

/**
 * Each schema and who reads it. The apps' schemas come from their builds'
 * env-schema.js (not env.js, which parses this process's environment as it loads).
 */
function sources() {
  const appSchema = (app, name) => require(path.join(repo, 'apps', app, 'dist/env-schema.js'))[name];
  return [
    { reader: 'api', schema: appSchema('api', 'ApiEnv') },
    { reader: 'worker', schema: appSchema('worker', 'WorkerEnv') },
    { reader: 'dashboard', schema: appSchema('dashboard', 'DashboardEnv') },
    { reader: 'npm start', schema: LaunchEnv },
  ];
}

/** `text` with what lies between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` replaced by `body`. */
function withGeneratedBlock(text, file, name, body) {
  const start = `<!-- generated:${name} -->`;
  const end = `<!-- /generated:${name} -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} has no ${start} … ${end} block: put the two markers where the table goes, then run ${REGENERATE}`);
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
}

/** Every generated file: its path from the root, and what it should hold given what it holds now. */
function generatedEnvFiles() {
  const variables = envReference(sources());
  return [
    { path: '.env.example', render: () => renderEnvExample(variables) },
    { path: 'packages/shared/src/env/known-variables.ts', render: () => renderKnownVariables(variables) },
    {
      path: 'docs/configuration.md',
      render: (current) => {
        if (current === undefined) throw new Error(`docs/configuration.md is missing: it holds the variable table ${REGENERATE} fills in`);
        return withGeneratedBlock(current, 'docs/configuration.md', 'env', renderEnvTable(variables));
      },
    },
  ];
}

function main() {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, root: { type: 'string', default: repo } } });
  let stale = 0;
  for (const file of generatedEnvFiles()) {
    const target = path.join(values.root, file.path);
    const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    const next = file.render(current);
    if (next === current) continue;
    if (values.check) {
      process.stderr.write(`${file.path} is out of date with the env schemas: run ${REGENERATE} and commit the result\n`);
      stale++;
    } else {
      writeFileSync(target, next);
      process.stdout.write(`wrote ${file.path}\n`);
    }
  }
  if (stale > 0) process.exit(1);
}

if (require.main === module) main();

module.exports = { generatedEnvFiles };
