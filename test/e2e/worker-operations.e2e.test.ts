import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalog, jobOptionsFor } from '@floodgate/shared/jobs';
import { queueIdentity } from '@floodgate/shared/queues';
import { freePort, waitFor, type RunningProcess } from '@floodgate/testkit';
import { Queue } from 'bullmq';
import { describe, expect } from 'vitest';
import { heldPage, type HeldPage } from './held-page';
import { privateRedisTest } from './private-redis-fixture';
import { FAST_RECOVERY_ENV, WORKER_ENTRY } from './stack-entries';

/**
 * Operating a worker: its probes on the metrics port, the `.env` it reads at
 * start, and the warning about a variable nothing reads. Real worker processes
 * (the built entry pm2 runs) on a private Redis; their logs are read from stdout.
 */

interface LoggingWorker extends RunningProcess {
  /** Every JSON log line so far. */
  lines: Array<Record<string, unknown>>;
}

/**
 * Starts the worker entry with exactly `env` (plus PATH), in `cwd`, and waits
 * for its `ready`; it joins `processes`, to be killed after the test. VITEST is
 * left out on purpose: under it a process does not read `.env`, and here that
 * reading is what is tested.
 */
async function startLoggingWorker(processes: RunningProcess[], env: Record<string, string>, cwd = process.cwd()): Promise<LoggingWorker> {
  const child: ChildProcess = fork(WORKER_ENTRY, [], { cwd, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const lines: Array<Record<string, unknown>> = [];
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) if (part.trim() !== '') lines.push(JSON.parse(part) as Record<string, unknown>);
  });
  const exited = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      const exit = once(child, 'exit');
      child.kill(signal);
      await exit;
    }
  };
  const worker: LoggingWorker = { pid: child.pid ?? -1, child, lines, stop: () => exited('SIGINT'), kill: () => exited('SIGKILL') };
  processes.push(worker);
  await new Promise<void>((resolve, reject) => {
    child.on('message', (message) => message === 'ready' && resolve());
    child.once('exit', (code) => reject(new Error(`the worker exited with code ${code} before it was ready`)));
  });
  return worker;
}

/** GET against a worker's metrics port: status and JSON body. */
async function probe(port: number, path: '/healthz' | '/readyz'): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A private Redis per test, and a held `page` for the test that asks. */
const it = privateRedisTest.extend<{ page: HeldPage }>({ page: heldPage });

describe('a worker process, as operators see it', () => {
  it('is healthy all along and ready only while Redis answers and its workers run, through an outage and its drain', async ({ redis, connection, prefix, processes, page }) => {
    const port = await freePort();
    const worker = await startLoggingWorker(processes, { ...FAST_RECOVERY_ENV, REDIS_URL: redis.url, QUEUE_PREFIX: prefix, WORKER_METRICS_PORT: String(port), WORKER_DRAIN_GRACE_MS: '120000', PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS: 'true', PAGE_EXTRACT_FETCH_TIMEOUT_MS: '120000' });
    expect(await probe(port, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    const ready = await probe(port, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', checks: { redis: { ok: true }, workers: { ok: true } } });

    // Redis goes away: not ready (so an orchestrator stops counting on it), yet alive (so nothing restarts it).
    await redis.kill();
    const down = await waitFor(async () => {
      const answer = await probe(port, '/readyz');
      return answer.status === 503 ? answer : undefined;
    }, { description: '/readyz to say Redis is gone' });
    expect(down.body).toMatchObject({ error: { code: 'not_ready', details: { redis: { ok: false } } } });
    expect((await probe(port, '/healthz')).status).toBe(200);
    await redis.restart();
    await waitFor(async () => (await probe(port, '/readyz')).status === 200, { description: '/readyz to recover with Redis' });

    // A job held active keeps the drain going: meanwhile the process is alive, and not ready.
    const { name, prefix: keyPrefix } = queueIdentity('page-extract', prefix);
    const queue = new Queue(name, { connection, prefix: keyPrefix });
    await queue.add('page-extract', { url: page.url }, jobOptionsFor(catalog['page-extract']));
    await waitFor(() => page.requests === 1, { description: 'the handler to be fetching the held page' });
    worker.child.kill('SIGINT');
    const draining = await waitFor(async () => {
      const answer = await probe(port, '/readyz');
      return answer.status === 503 ? answer : undefined;
    }, { description: '/readyz to say the worker is stopping' });
    expect(draining.body).toMatchObject({ error: { details: { workers: { ok: false, detail: 'stopping' } } } });
    expect((await probe(port, '/healthz')).status).toBe(200);
    page.release();
    if (worker.child.exitCode === null) await once(worker.child, 'exit');
    expect(worker.child.exitCode).toBe(0);
    await queue.close();
  });

  it('reads .env from its working directory under the real environment, and names a variable nothing reads', async ({ redis, prefix, processes }) => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'fg-dotenv-worker-'));
    // The port comes from the file alone; the prefix is in both, and the environment's must win.
    writeFileSync(join(dir, '.env'), `# a worker's settings\nWORKER_METRICS_PORT=${port}\nQUEUE_PREFIX={not-this-one}\n`);
    const { WORKER_METRICS_PORT: _fromFileOnly, ...recovery } = FAST_RECOVERY_ENV;
    const worker = await startLoggingWorker(processes, { ...recovery, REDIS_URL: redis.url, QUEUE_PREFIX: prefix, WORKER_CONCURENCY: 'compute=1' }, dir);
    expect((await probe(port, '/healthz')).status).toBe(200);
    const ready = worker.lines.find((line) => line.msg === 'worker ready');
    expect(ready?.prefix).toBe(prefix);

    const read = worker.lines.find((line) => String(line.msg).startsWith('environment file read'));
    expect(read).toMatchObject({ file: '.env', variables: ['WORKER_METRICS_PORT'] });
    const warned = worker.lines.filter((line) => String(line.msg).startsWith('ignoring variables with a floodgate prefix'));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ level: 40, unknown: ['WORKER_CONCURENCY (did you mean WORKER_CONCURRENCY?)'] });
    await worker.stop();
  });
});
