/**
 * `npm run keys:create -- --scopes jobs:write,jobs:read [--name ci]`: makes an
 * API key, prints it once, and stores only its hash in API_KEYS_FILE.
 * `npm run keys -- list` and `npm run keys -- revoke <id>` manage the file.
 * The API reads the file at start: restart it (`npm run pm2 -- reload api`)
 * for a change to take effect.
 */
import { parseArgs } from 'node:util';
import { appendApiKey, generateApiKey, loadApiKeys, removeApiKey, Scope, SCOPES } from '@floodgate/shared/api-keys';
import { StackEnv } from '@floodgate/shared/stack';

// The same variable and default the API and `npm start` read.
const file = StackEnv.shape.API_KEYS_FILE.parse(process.env.API_KEYS_FILE);
const usage = `usage:
  npm run keys:create -- --scopes <scope,...> [--name <who it is for>]
  npm run keys -- list
  npm run keys -- revoke <id>
scopes: ${SCOPES.join(', ')}`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${usage}\n`);
  process.exit(2);
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { scopes: { type: 'string' }, name: { type: 'string' } },
});
const [command, ...rest] = positionals;

if (command === 'create') {
  if (!values.scopes) fail('--scopes is required.');
  const scopes = values.scopes.split(',').map((scope) => scope.trim());
  for (const scope of scopes) if (!Scope.safeParse(scope).success) fail(`Unknown scope "${scope}".`);
  const { key, record } = generateApiKey(values.name ?? 'unnamed', scopes as Scope[]);
  appendApiKey(file, record);
  process.stdout.write(
    `${key}\n\n` +
      `This is the only time the key is shown: floodgate keeps only its hash (id ${record.id}, scopes ${record.scopes.join(', ')}) in ${file}.\n` +
      'Send it as "Authorization: Bearer <key>". Restart the API (npm run pm2 -- reload api) if it is running.\n' +
      `To give it to the API through the environment instead: API_KEYS='${JSON.stringify([record])}'\n`,
  );
} else if (command === 'list') {
  for (const record of loadApiKeys({ file })) process.stdout.write(`${record.id}  ${record.scopes.join(',').padEnd(24)}  ${record.name}  ${record.createdAt ?? ''}\n`);
} else if (command === 'revoke') {
  const id = rest[0] ?? fail('Which key? Give its id (npm run keys -- list).');
  if (!removeApiKey(file, id)) fail(`No key with id ${id} in ${file}.`);
  process.stdout.write(`Revoked ${id}. Restart the API (npm run pm2 -- reload api) for it to take effect.\n`);
} else {
  fail(command ? `Unknown command "${command}".` : 'Which command?');
}
