import { CommonEnv, loadEnv, optionalBoolEnv, refineRedisTopology } from '@floodgate/shared/env';
import { StackEnv } from '@floodgate/shared/stack';
import { credentialProblems } from './credentials';

/**
 * The dashboard's environment: the variables every process reads, plus its own.
 * The DASHBOARD_* entries the launcher also reads are taken from the stack's
 * schema, so a default is written once for this app, ecosystem.config.js and
 * the `npm start` launcher; the ones only the dashboard reads live here.
 *
 * Credentials are judged as a whole ({@link credentialProblems}): with
 * NODE_ENV=production a missing, short, default or reused password or session
 * secret stops the dashboard at start, with the variable named.
 */
export const DashboardEnv = CommonEnv.extend({
  /** `production` turns on the credential checks and Secure cookies. */
  NODE_ENV: StackEnv.shape.NODE_ENV,
  /** @defaultValue 3001 */
  DASHBOARD_PORT: StackEnv.shape.DASHBOARD_PORT,
  /** Interface the dashboard binds to. @defaultValue 127.0.0.1 */
  DASHBOARD_HOST: StackEnv.shape.DASHBOARD_HOST,
  /** The admin's user name. @defaultValue admin */
  DASHBOARD_USER: StackEnv.shape.DASHBOARD_USER,
  /**
   * The admin's password.
   * @defaultValue unset: outside production a random one is generated at start and logged once
   */
  DASHBOARD_PASSWORD: StackEnv.shape.DASHBOARD_PASSWORD,
  /** The read-only viewer's user name. @defaultValue viewer */
  DASHBOARD_VIEWER_USER: StackEnv.shape.DASHBOARD_VIEWER_USER,
  /**
   * The viewer's password.
   * @defaultValue unset: outside production a random one is generated at start and logged once
   */
  DASHBOARD_VIEWER_PASSWORD: StackEnv.shape.DASHBOARD_VIEWER_PASSWORD,
  /**
   * Key of the HMAC that signs session cookies.
   * @defaultValue unset: outside production a random one per start (restarts sign everybody out)
   */
  DASHBOARD_SESSION_SECRET: StackEnv.shape.DASHBOARD_SESSION_SECRET,
  /**
   * Mark the session cookie `Secure` (sent over HTTPS only; the dashboard then
   * also asks for HTTPS with HSTS and upgrade-insecure-requests). Needs TLS in
   * front of the dashboard: over plain HTTP the browser never sends the cookie back.
   * @defaultValue true when NODE_ENV=production, false otherwise
   */
  DASHBOARD_SECURE_COOKIES: optionalBoolEnv(),
  /** How long open requests may take to finish at shutdown (pm2's kill_timeout is this + 5 s). @defaultValue 5000 */
  DASHBOARD_SHUTDOWN_GRACE_MS: StackEnv.shape.DASHBOARD_SHUTDOWN_GRACE_MS,
}).superRefine((env, ctx) => {
  for (const { variable, problem } of credentialProblems(env)) ctx.addIssue({ code: 'custom', path: [variable], message: problem });
  refineRedisTopology(env, ctx);
});
export type DashboardEnv = typeof DashboardEnv._output;

/** Whether session cookies are `Secure`: as configured, else in production only. */
export function secureCookies(env: Pick<DashboardEnv, 'DASHBOARD_SECURE_COOKIES' | 'NODE_ENV'>): boolean {
  return env.DASHBOARD_SECURE_COOKIES ?? env.NODE_ENV === 'production';
}

/** Parsed once, at start; nothing else reads process.env. */
export const env: DashboardEnv = loadEnv(DashboardEnv, process.env);
