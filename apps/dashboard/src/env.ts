import { intEnv, loadEnv } from '@floodgate/shared/env';
import { StackEnv } from '@floodgate/shared/stack';

/** The dashboard's environment: the shared stack variables it uses, plus its own. */
export const DashboardEnv = StackEnv.pick({
  REDIS_URL: true,
  REDIS_PORT: true,
  QUEUE_PREFIX: true,
  LOG_LEVEL: true,
  DASHBOARD_PORT: true,
  DASHBOARD_HOST: true,
  DASHBOARD_USER: true,
  DASHBOARD_PASSWORD: true,
}).extend({
  /** How long open requests may take to finish at shutdown. Below pm2's kill_timeout (15 s). @defaultValue 5000 */
  DASHBOARD_SHUTDOWN_GRACE_MS: intEnv(5_000, { min: 0, max: 600_000 }),
});
export type DashboardEnv = typeof DashboardEnv._output;

/** Parsed once, at start; nothing else reads process.env. */
export const env: DashboardEnv = loadEnv(DashboardEnv, process.env);
