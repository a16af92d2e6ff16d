import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

/** The file every floodgate process reads at start, from its working directory (the repo root under `npm start` and pm2). */
export const DOTENV_FILE = '.env';

/** Files already read by this process: a second call is a no-op, so the file is applied once. */
const applied = new Set<string>();

/**
 * Puts the variables of `.env` into `target` (process.env), before the env
 * schema parses it. A variable the environment already has wins, even when
 * blank: what an operator sets on the command line, in pm2 or in a container
 * overrides the file, as with Node's own `--env-file`. A missing file is fine
 * (nothing to read); an unreadable one is an error.
 *
 * Node's parser (`util.parseEnv`, the one behind `--env-file`) rather than a
 * library: the format is the same, and the precedence is written here instead
 * of depending on how a Node version's `process.loadEnvFile` treats it.
 *
 * Under vitest (VITEST is set for the run and inherited by every process it
 * spawns) the file is left alone: tests start their own Redis and configure
 * each process themselves, and a developer's `.env` (say REDIS_URL of their own
 * Redis) must not reach the processes a test starts.
 *
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
