import { CommonEnv, intEnv, loadEnv } from '@floodgate/shared/env';
import { StackEnv } from '@floodgate/shared/stack';

/**
 * The dashboard's environment: the variables every process reads, plus its own.
 * The DASHBOARD_* entries are taken from the stack's schema, so a default is
 * written once for this app, ecosystem.config.js and the `npm start` launcher.
 */
export const DashboardEnv = CommonEnv.extend({
  /** @defaultValue 3001 */
  DASHBOARD_PORT: StackEnv.shape.DASHBOARD_PORT,
  /** Interface the dashboard binds to. @defaultValue 127.0.0.1 */
  DASHBOARD_HOST: StackEnv.shape.DASHBOARD_HOST,
  /**
   * Basic-auth user. A colon is refused here: basic auth splits `user:password`
   * at the first one, so such a user could never log in.
   * @defaultValue admin
   */
  DASHBOARD_USER: StackEnv.shape.DASHBOARD_USER.refine((user) => !user.includes(':'), 'must not contain ":"'),
  /**
   * Basic-auth password.
   * @defaultValue unset: a random one is generated at start and logged once
   */
  DASHBOARD_PASSWORD: StackEnv.shape.DASHBOARD_PASSWORD,
  /**
   * How long open requests may take to finish at shutdown; below pm2's
   * kill_timeout for the dashboard (15 s), so cleanup is never cut short.
   * @defaultValue 5000
   */
  DASHBOARD_SHUTDOWN_GRACE_MS: intEnv(5_000, { min: 0, max: 600_000 }),
});
export type DashboardEnv = typeof DashboardEnv._output;

/** Parsed once, at start; nothing else reads process.env. */
export const env: DashboardEnv = loadEnv(DashboardEnv, process.env);
