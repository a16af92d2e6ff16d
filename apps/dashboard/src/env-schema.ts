import { CommonEnv, optionalBoolEnv, refineRedisTopology } from '@floodgate/shared/env';
import { StackEnv } from '@floodgate/shared/stack';
import { credentialProblems } from './credentials';

/**
 * The dashboard's environment: the common variables, the DASHBOARD_* ones the launcher also reads (from the stack's
 * schema, so each default is written once), and its own. Side-effect free: `npm run env:example` reads it. With
 * NODE_ENV=production a weak or reused password or session secret stops it at start ({@link credentialProblems}).
 */
export const DashboardEnv = CommonEnv.extend({
  NODE_ENV: StackEnv.shape.NODE_ENV,
  DASHBOARD_PORT: StackEnv.shape.DASHBOARD_PORT,
  DASHBOARD_HOST: StackEnv.shape.DASHBOARD_HOST,
  DASHBOARD_USER: StackEnv.shape.DASHBOARD_USER,
  DASHBOARD_PASSWORD: StackEnv.shape.DASHBOARD_PASSWORD,
  DASHBOARD_VIEWER_USER: StackEnv.shape.DASHBOARD_VIEWER_USER,
  DASHBOARD_VIEWER_PASSWORD: StackEnv.shape.DASHBOARD_VIEWER_PASSWORD,
  DASHBOARD_SESSION_SECRET: StackEnv.shape.DASHBOARD_SESSION_SECRET,
  /** Over plain HTTP the browser never sends a Secure cookie back: it needs TLS in front of the dashboard. */
  DASHBOARD_SECURE_COOKIES: optionalBoolEnv().describe(
    'Secure session cookie, HSTS and upgrade-insecure-requests (needs HTTPS in front); unset: on when NODE_ENV=production.',
  ),
  DASHBOARD_SHUTDOWN_GRACE_MS: StackEnv.shape.DASHBOARD_SHUTDOWN_GRACE_MS,
  TRUST_PROXY: StackEnv.shape.TRUST_PROXY,
}).superRefine((env, ctx) => {
  for (const { variable, problem } of credentialProblems(env)) ctx.addIssue({ code: 'custom', path: [variable], message: problem });
  refineRedisTopology(env, ctx);
});
export type DashboardEnv = typeof DashboardEnv._output;

/** Whether session cookies are `Secure`: as configured, else in production only. */
export function secureCookies(env: Pick<DashboardEnv, 'DASHBOARD_SECURE_COOKIES' | 'NODE_ENV'>): boolean {
  return env.DASHBOARD_SECURE_COOKIES ?? env.NODE_ENV === 'production';
}
