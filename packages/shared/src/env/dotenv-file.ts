import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

/** The file every floodgate process reads at start, from its working directory (the repo root under `npm start` and pm2). */
export const DOTENV_FILE = '.env';

/** Files already read by this process: a second call is a no-op, so the file is applied once. */
const applied = new Set<string>();

/**
 * Puts the variables of `.env` into `target` (process.env) before the env schema parses it. A variable already set wins,
 * even blank (as with `--env-file`); a missing file is fine, an unreadable one throws. Skipped under vitest, so a
 * developer's `.env` never reaches the processes a test starts.
 * @returns the names taken from the file (never values: they may be secrets), or undefined when no file was read
 */
export function loadDotEnvFile(
  file: string = DOTENV_FILE,
  target: Record<string, string | undefined> = process.env,
): string[] | undefined {
  const path = resolve(file);
  if (target.VITEST !== undefined || applied.has(path)) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  applied.add(path);
  const taken: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text) as Record<string, string>)) {
    if (target[name] !== undefined) continue;
    target[name] = value;
    taken.push(name);
  }
  return taken;
}
