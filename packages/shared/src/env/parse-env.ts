import type { z } from 'zod';
import { EnvError } from '../errors/env-error';
import { redactUrlCredentials } from '../logger/redact-url';

/**
 * Parses `source` with `schema`. On failure throws an {@link EnvError} whose
 * message lists every bad variable at once, so a newcomer fixes them in one go
 * instead of one restart per typo.
 */
export function parseEnv<S extends z.ZodType>(schema: S, source: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const value = issue.path.length === 1 ? source[String(issue.path[0])] : undefined;
    const shown = value === undefined ? 'unset' : `got ${JSON.stringify(redactIfSecret(String(issue.path[0]), value))}`;
    return `  - ${name}: ${issue.message} (${shown})`;
  });
  throw new EnvError(`Invalid environment:\n${lines.join('\n')}`, result.error.issues);
}

/**
 * Like {@link parseEnv}, but for a process entry point: prints the message and
 * exits with status 1 instead of throwing a stack trace at the operator.
 */
export function loadEnv<S extends z.ZodType>(schema: S, source: Record<string, string | undefined>): z.infer<S> {
  try {
    return parseEnv(schema, source);
  } catch (err) {
    if (!(err instanceof EnvError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}

function redactIfSecret(name: string, value: string): string {
  if (/PASSWORD|SECRET|TOKEN|KEY|HEADERS/i.test(name)) return '***';
  // URLs and lists of them (FETCH_PROXIES) keep everything but their credentials.
  if (/URL|PROXIES/i.test(name)) return redactUrlCredentials(value);
  return value;
}
