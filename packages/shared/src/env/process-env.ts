import type { z } from 'zod';
import type { Logger } from '../logger/create-logger';
import { DOTENV_FILE, loadDotEnvFile } from './dotenv-file';
import { loadEnv } from './parse-env';
import { describeUnknownVariables, unknownVariables, type UnknownVariable } from './unknown-variables';

/** What reading the environment found worth telling, kept until the process has its logger. */
export interface EnvNotes {
  /** The names `.env` supplied, when one was read. */
  fromFile?: string[];
  /** Variables with a floodgate prefix that no schema knows. */
  unknown: UnknownVariable[];
}

/**
 * A process's environment, read the one way every floodgate entry point reads
 * it (each app's `src/env.ts`, ecosystem.config.js, the `npm start` launcher):
 * `.env` applied under the real environment, then parsed with `schema`, exiting
 * with every bad variable named. The notes are for {@link logEnvNotes}: the
 * logger of a process is made from what this returns.
 */
export function loadProcessEnv<S extends z.ZodType>(schema: S): { env: z.infer<S>; notes: EnvNotes } {
  const fromFile = loadDotEnvFile();
  const env = loadEnv(schema, process.env);
  return { env, notes: { ...(fromFile ? { fromFile } : {}), unknown: unknownVariables(process.env) } };
}

/** Logs {@link EnvNotes}, once per process: the `.env` it read (names only) and each variable nothing reads. */
export function logEnvNotes(logger: Logger, notes: EnvNotes): void {
  if (notes.fromFile) logger.info({ file: DOTENV_FILE, variables: notes.fromFile }, 'environment file read; variables set in the environment win over it');
  if (notes.unknown.length > 0) {
    logger.warn({ unknown: describeUnknownVariables(notes.unknown) }, 'ignoring variables with a floodgate prefix that nothing reads: check their spelling');
  }
}
