import { applyEnv, type EnvInput } from '@floodgate/shared/env';
import type { JobDefinition } from '@floodgate/shared/jobs';

export interface StartDashboardOptions {
  /** Your job types (`defineJob` from `@floodgate/core`): the same list your API and workers are given. */
  jobs: readonly JobDefinition[];
  /**
   * Settings, as the environment variables of the same names (`REDIS_URL`,
   * `DASHBOARD_PORT`, `DASHBOARD_PASSWORD`, …): these win over the process's
   * own environment. @defaultValue the process's environment only
   */
  env?: EnvInput;
}

/**
 * Runs the floodgate dashboard for your own job types: Bull Board with a
 * board per queue and the overview page, behind its login. Resolves once it
 * listens and told pm2 it is ready.
 */
export async function startDashboard(options: StartDashboardOptions): Promise<void> {
  applyEnv(options.env);
  const { useJobs } = await import('@floodgate/shared/jobs');
  useJobs(options.jobs);
  const { runDashboardProcess } = await import('./dashboard-process.js');
  await runDashboardProcess();
}
