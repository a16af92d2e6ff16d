import { z } from 'zod';
import { DEFAULT_PORTS } from '../stack/default-ports';
import { enumEnv, portEnv, redisUrlEnv, stringEnv } from './coercers';

/**
 * Variables every floodgate process reads. Each app extends this with its own
 * in `src/env.ts`.
 */
export const CommonEnv = z.object({
  /** Redis to use as is. Unset: the embedded one on 127.0.0.1:REDIS_PORT. */
  REDIS_URL: redisUrlEnv(),
  /** Port of the embedded Redis (only used when REDIS_URL is unset). @defaultValue 6390 */
  REDIS_PORT: portEnv(DEFAULT_PORTS.redis),
  /** Prefix of every BullMQ key. Keep the braces: they make it a Redis Cluster hash tag. @defaultValue `{floodgate}` */
  QUEUE_PREFIX: stringEnv('{floodgate}'),
  /** pino log level. @defaultValue info */
  LOG_LEVEL: enumEnv(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
});
export type CommonEnv = z.infer<typeof CommonEnv>;

/** The Redis URL a process connects to: REDIS_URL, or the embedded Redis. */
export function resolveRedisUrl(env: Pick<CommonEnv, 'REDIS_URL' | 'REDIS_PORT'>): string {
  return env.REDIS_URL ?? `redis://127.0.0.1:${env.REDIS_PORT}`;
}
