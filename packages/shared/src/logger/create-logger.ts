import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Paths that may carry secrets; pino replaces them before a line is written. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'redisUrl',
  '*.redisUrl',
];

export interface CreateLoggerOptions {
  /** Which app writes the lines (`api`, `worker`, `dashboard`). */
  name: string;
  level: LoggerOptions['level'];
  /** Pretty, colored lines for a person at a terminal; JSON otherwise (pm2, CI). @defaultValue stdout is a TTY */
  pretty?: boolean;
}

/** One pino logger per process; everything else uses `.child()` of it. */
export function createLogger(options: CreateLoggerOptions): Logger {
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  return pino({
    name: options.name,
    level: options.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  });
}
