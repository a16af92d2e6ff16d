#!/usr/bin/env node
/**
 * API keys: `floodgate-keys create --scopes jobs:write,jobs:read [--name ci]
 * [--weight 2]` (installed with @floodgate/api; in this repository `npm run
 * keys:create -- …`) makes a key, prints it once, and stores only its hash in
 * API_KEYS_FILE. `list`, `weight <id> <n>` and `revoke <id>` manage the file.
 * The API reads the file at start: restart it for a change to take effect.
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { appendApiKey, generateApiKey, loadApiKeys, removeApiKey, Scope, SCOPES, setApiKeyWeight } from '@floodgate/shared/api-keys';
import { MAX_TENANT_WEIGHT, TenantWeight } from '@floodgate/shared/fairness';
import { keysCliEnv } from './env-schema';

// The same variable and default the API and `npm start` read, from the same places (the environment, then .env).
const file = keysCliEnv().API_KEYS_FILE;
// Named as it was run: the package's bin in an app of its own, npm run in this repository.
const program = basename(process.argv[1] ?? '') === 'floodgate-keys' ? 'floodgate-keys' : 'npm run keys --';
const restart = program === 'floodgate-keys' ? 'Restart the API' : 'Restart the API (npm run pm2 -- reload api)';
const usage = `usage (keys are kept in ${file}, API_KEYS_FILE):
  ${program} create --scopes <scope,...> [--name <who it is for>] [--weight <1-${MAX_TENANT_WEIGHT}>]
  ${program} list
  ${program} weight <id> <1-${MAX_TENANT_WEIGHT}>
  ${program} revoke <id>
scopes: ${SCOPES.join(', ')}
weight: the key's share of each fair type against other keys with jobs waiting (default 1)`;

function weightOf(text: string): number {
  const weight = TenantWeight.safeParse(Number(text));
  if (!weight.success) fail(`A weight is a whole number from 1 to ${MAX_TENANT_WEIGHT}, not "${text}".`);
  return weight.data;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${usage}\n`);
  process.exit(2);
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { scopes: { type: 'string' }, name: { type: 'string' }, weight: { type: 'string' } },
});
const [command, ...rest] = positionals;

if (command === 'create') {
  if (!values.scopes) fail('--scopes is required.');
  const scopes = values.scopes.split(',').map((scope) => scope.trim());
  for (const scope of scopes) if (!Scope.safeParse(scope).success) fail(`Unknown scope "${scope}".`);
  const { key, record } = generateApiKey(values.name ?? 'unnamed', scopes as Scope[], values.weight === undefined ? undefined : weightOf(values.weight));
  appendApiKey(file, record);
  process.stdout.write(
    `${key}\n\n` +
      `This is the only time the key is shown: floodgate keeps only its hash (id ${record.id}, scopes ${record.scopes.join(', ')}, weight ${record.weight ?? 1}) in ${file}.\n` +
      `Send it as "Authorization: Bearer <key>". ${restart} if it is running.\n` +
      `To give it to the API through the environment instead: API_KEYS='${JSON.stringify([record])}'\n`,
  );
} else if (command === 'list') {
  for (const record of loadApiKeys({ file })) {
    process.stdout.write(`${record.id}  ${record.scopes.join(',').padEnd(24)}  weight ${String(record.weight ?? 1).padEnd(4)}  ${record.name}  ${record.createdAt ?? ''}\n`);
  }
} else if (command === 'weight') {
  const [id, weight] = rest;
  if (id === undefined || weight === undefined) fail('Give the key id and its new weight.');
  if (!setApiKeyWeight(file, id, weightOf(weight))) fail(`No key with id ${id} in ${file}.`);
  process.stdout.write(`Key ${id} now has weight ${weight}. ${restart} for it to take effect.\n`);
} else if (command === 'revoke') {
  const id = rest[0] ?? fail(`Which key? Give its id (${program} list).`);
  if (!removeApiKey(file, id)) fail(`No key with id ${id} in ${file}.`);
  process.stdout.write(`Revoked ${id}. ${restart} for it to take effect.\n`);
} else {
  fail(command ? `Unknown command "${command}".` : 'Which command?');
}
