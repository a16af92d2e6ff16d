import { applyEnv, type EnvInput } from '@floodgate/shared/env';
import type { JobDefinition } from '@floodgate/shared/jobs';

export interface StartApiOptions {
  /** Your job types (`defineJob` from `@floodgate/core`): the same list your workers are given. */
  jobs: readonly JobDefinition[];
  /**
   * Settings, as the environment variables of the same names (`REDIS_URL`,
   * `API_PORT`, `API_KEYS_FILE`, …): these win over the process's own
   * environment. @defaultValue the process's environment only
   */
  env?: EnvInput;
}

/**
 * Runs a floodgate API process for your own job types: `POST /v1/jobs/<type>`
 * validates against your definitions, admits, enqueues; every other `/v1`
 * route, `/docs` and `/metrics` come with it. Resolves once it listens and
 * told pm2 it is ready. Call it once per process.
 */
export async function startApi(options: StartApiOptions): Promise<void> {
  applyEnv(options.env);
  // The catalog first: the wire schemas, scopes and routes read it as they load.
  const { useJobs } = await import('@floodgate/shared/jobs');
  useJobs(options.jobs);
  const { runApiProcess } = await import('./api-process.js');
  await runApiProcess();
}
