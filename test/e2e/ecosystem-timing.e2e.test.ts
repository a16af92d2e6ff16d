import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './stack-entries';

/** Each app's pm2 kill_timeout, as ecosystem.config.js derives it from `env` (read in a process of its own). */
async function killTimeouts(env: Record<string, string>): Promise<Record<string, number>> {
  const script = "process.stdout.write(JSON.stringify(Object.fromEntries(require('./ecosystem.config.js').apps.map((a) => [a.name, a.kill_timeout]))))";
  // A given REDIS_URL: the process file then plans no local Redis of its own.
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', REDIS_URL: 'redis://127.0.0.1:1', ...env },
  });
  return JSON.parse(stdout) as Record<string, number>;
}

describe("ecosystem.config.js's timing rule: kill_timeout > the app's shutdown grace", () => {
  it('follows each grace, defaults and raised alike, so pm2 never SIGKILLs an app inside its grace', async () => {
    const defaults = await killTimeouts({});
    expect(defaults.api).toBeGreaterThan(10_000);
    expect(defaults.worker).toBeGreaterThan(35_000);
    expect(defaults.dashboard).toBeGreaterThan(5_000);

    const raised = await killTimeouts({ API_SHUTDOWN_GRACE_MS: '60000', WORKER_DRAIN_GRACE_MS: '120000', DASHBOARD_SHUTDOWN_GRACE_MS: '60000' });
    expect(raised.api).toBeGreaterThan(60_000);
    expect(raised.worker).toBeGreaterThan(120_000);
    expect(raised.dashboard).toBeGreaterThan(60_000);
  });
});
