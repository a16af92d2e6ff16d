import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ApiKeyRecord } from './api-key';

const KeyFile = z.array(ApiKeyRecord);

/**
 * The key records the API accepts: those in `API_KEYS` (a JSON array of
 * records, for containers and CI) and those in the file `API_KEYS_FILE`
 * (written by `npm run keys:create`). A malformed source is an error at
 * start, not a key silently ignored.
 */
export function loadApiKeys(sources: { json?: string | undefined; file?: string | undefined }): ApiKeyRecord[] {
  const records: ApiKeyRecord[] = [];
  if (sources.json) records.push(...parseKeys(sources.json, 'API_KEYS'));
  if (sources.file && existsSync(sources.file)) records.push(...parseKeys(readFileSync(sources.file, 'utf8'), sources.file));
  const ids = new Set<string>();
  for (const record of records) {
    if (ids.has(record.id)) throw new Error(`API key id ${record.id} appears twice (API_KEYS and API_KEYS_FILE together?)`);
    ids.add(record.id);
  }
  return records;
}

/** Adds a record to the key file (created, readable by its owner only, when missing). */
export function appendApiKey(file: string, record: ApiKeyRecord): void {
  const records = existsSync(file) ? parseKeys(readFileSync(file, 'utf8'), file) : [];
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify([...records, record], null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Removes the record with `id` from the key file; false when there was none. */
export function removeApiKey(file: string, id: string): boolean {
  if (!existsSync(file)) return false;
  const records = parseKeys(readFileSync(file, 'utf8'), file);
  const kept = records.filter((record) => record.id !== id);
  if (kept.length === records.length) return false;
  writeFileSync(file, `${JSON.stringify(kept, null, 2)}\n`, { mode: 0o600 });
  return true;
}

/** Sets the weight of the key `id` in the key file; false when there is no such key. */
export function setApiKeyWeight(file: string, id: string, weight: number): boolean {
  if (!existsSync(file)) return false;
  const records = parseKeys(readFileSync(file, 'utf8'), file);
  const record = records.find((candidate) => candidate.id === id);
  if (!record) return false;
  record.weight = weight;
  writeFileSync(file, `${JSON.stringify(records, null, 2)}\n`, { mode: 0o600 });
  return true;
}

function parseKeys(text: string, source: string): ApiKeyRecord[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = KeyFile.safeParse(json);
  if (!parsed.success) {
    throw new Error(`${source} is not a list of API key records: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
