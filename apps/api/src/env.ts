import { intEnv, loadEnv } from '@floodgate/shared/env';
import { StackEnv } from '@floodgate/shared/stack';

/** The API's environment: the shared stack variables it uses, plus its own. */
export const ApiEnv = StackEnv.pick({
  REDIS_URL: true,
  REDIS_PORT: true,
  QUEUE_PREFIX: true,
  LOG_LEVEL: true,
  API_PORT: true,
  API_HOST: true,
  API_SHUTDOWN_GRACE_MS: true,
  API_METRICS_PORT: true,
  METRICS_HOST: true,
  NODE_APP_INSTANCE: true,
}).extend({
  /** Largest request body accepted, in bytes; larger ones get 413. @defaultValue 1048576 (1 MiB) */
  API_BODY_LIMIT_BYTES: intEnv(1_048_576, { min: 1_024, max: 64 * 1_048_576 }),
});
export type ApiEnv = typeof ApiEnv._output;

/** Parsed once, at start; nothing else reads process.env. */
export const env: ApiEnv = loadEnv(ApiEnv, process.env);
