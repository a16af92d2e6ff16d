import { join, resolve } from 'node:path';
import { generateApiKey } from '@floodgate/shared/api-keys';

/** The repository root, and the built entries the end-to-end tests start as real processes. */
export const ROOT = resolve(__dirname, '../..');
export const WORKER_ENTRY = join(ROOT, 'apps/worker/dist/index.js');
export const API_ENTRY = join(ROOT, 'apps/api/dist/index.js');

/** Fast recovery for tests: a dead process's job is back in play within ~3 s. */
export const FAST_RECOVERY_ENV = {
  WORKER_LOCK_DURATION_MS: '2000',
  WORKER_STALLED_INTERVAL_MS: '1000',
  WORKER_HEARTBEAT_MS: '500',
  WORKER_METRICS_PORT: '0',
  WORKER_CPU_THREADS: '1',
};

/** The e2e tests' admin API key: the API refuses /v1 requests without one. API processes get only its record. */
export const apiKey = generateApiKey('e2e', ['admin']);
/** The header that carries {@link apiKey}. */
export const auth = { authorization: `Bearer ${apiKey.key}` };
