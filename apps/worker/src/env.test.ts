import { parseEnv } from '@floodgate/shared/env';
import { catalog, jobTypes } from '@floodgate/shared/jobs';
import { describe, expect, it } from 'vitest';
import { WorkerEnv } from './env';

describe('WorkerEnv', () => {
  it('has safe defaults', () => {
    expect(parseEnv(WorkerEnv, {})).toMatchObject({
      WORKER_DRAIN_GRACE_MS: 35_000,
      PAGE_EXTRACT_MAX_BYTES: 2 * 1024 * 1024,
      PAGE_EXTRACT_FETCH_TIMEOUT_MS: 10_000,
      PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS: false,
    });
  });

  it('drains longer than any job may run, so a shutdown never cuts a job that is within its time', () => {
    const longest = Math.max(...jobTypes.map((type) => catalog[type].timeoutMs));
    expect(parseEnv(WorkerEnv, {}).WORKER_DRAIN_GRACE_MS).toBeGreaterThan(longest);
  });

  it('reads booleans and rejects nonsense', () => {
    expect(parseEnv(WorkerEnv, { PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS: 'yes' }).PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS).toBe(true);
    expect(() => parseEnv(WorkerEnv, { PAGE_EXTRACT_MAX_BYTES: 'lots', PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS: 'maybe' })).toThrow(
      /PAGE_EXTRACT_MAX_BYTES[\s\S]*PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS/,
    );
  });
});
