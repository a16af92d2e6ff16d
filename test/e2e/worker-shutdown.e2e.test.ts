import { once } from 'node:events';
import { catalog, jobOptionsFor } from '@floodgate/shared/jobs';
import { queueIdentity } from '@floodgate/shared/queues';
import { cancelChannel, waitForRedis } from '@floodgate/shared/redis';
import { listHeartbeats } from '@floodgate/shared/workers';
import { waitFor, type RunningProcess } from '@floodgate/testkit';
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { heldPage, type HeldPage } from './held-page';
import { finished, privateRedisTestWith } from './private-redis-fixture';
import { FAST_RECOVERY_ENV } from './stack-entries';

/** A dead process's job is back in play within ~3 s; pages on 127.0.0.1 allowed; no fetch timeout in the way; short drains allowed. */
const WORKER_ENV = {
  ...FAST_RECOVERY_ENV,
  PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS: 'true',
  PAGE_EXTRACT_FETCH_TIMEOUT_MS: '120000',
  // Drain graces far below the catalog's timeouts: jobs cut at the drain are what these tests are about.
  WORKER_ALLOW_JOBS_PAST_DRAIN: 'true',
};

/**
 * A private Redis per test (workers with {@link WORKER_ENV}), and on it the test's page-extract
 * `queue`, its held `page`, and `addLastAttemptJob`: a page-extract job of the held page, with one
 * attempt only (a spent attempt fails it).
 */
const it = privateRedisTestWith(WORKER_ENV).extend<{ queue: Queue; page: HeldPage; addLastAttemptJob: () => Promise<Job> }>({
  // Torn down before the connection the queue uses (the workers on it are killed before that too, by `processes`).
  queue: async ({ connection, prefix }, use) => {
    const { name, prefix: keyPrefix } = queueIdentity('page-extract', prefix);
    const queue = new Queue(name, { connection, prefix: keyPrefix });
    // One test stops Redis on purpose: the refused reconnects are expected, not news.
    queue.on('error', () => undefined);
    await use(queue);
    await queue.close();
  },
  // Kills the workers before it closes the page.
  page: heldPage,
  addLastAttemptJob: async ({ queue, page }, use) => use(() => queue.add('page-extract', { url: page.url }, { ...jobOptionsFor(catalog['page-extract']), attempts: 1 })),
});

const whenExited = async (worker: RunningProcess) => {
  if (worker.child.exitCode === null && worker.child.signalCode === null) await once(worker.child, 'exit');
  return worker.child.exitCode;
};

const attemptsMadeOf = async (connection: Redis, queue: Queue, job: Job) => Number((await connection.hget(`${queue.qualifiedName}:${job.id}`, 'atm')) ?? 0);

describe('stopping a worker (a deploy: pm2 reload sends SIGINT)', () => {
  it('hands a job still running past the drain grace back to the queue without spending its last attempt; the next worker completes it', async ({ connection, queue, page, startWorker, addLastAttemptJob }) => {
    const first = await startWorker({ WORKER_DRAIN_GRACE_MS: '300' });
    const job = await addLastAttemptJob();
    await waitFor(() => page.requests === 1, { description: 'the handler to be fetching the page' });

    await first.stop();
    expect(first.child.exitCode).toBe(0);
    expect(await queue.getJobState(String(job.id))).toBe('waiting');
    expect(await attemptsMadeOf(connection, queue, job)).toBe(0);

    page.release();
    const second = await startWorker({});
    const { job: done, state } = await finished(queue, String(job.id));
    expect(state).toBe('completed');
    expect(done.attemptsMade).toBe(1);
    expect(done.processedBy).toMatch(new RegExp(`:${second.pid}$`));
    expect(done.returnvalue).toMatchObject({ title: 'held', status: 200 });
  });

  it('keeps hearing cancels until the drain ends', async ({ connection, prefix, queue, page, startWorker, addLastAttemptJob }) => {
    const worker = await startWorker({ WORKER_DRAIN_GRACE_MS: '120000' });
    const job = await addLastAttemptJob();
    await waitFor(() => page.requests === 1, { description: 'the handler to be fetching the page' });
    const beating = async () => (await listHeartbeats(connection, prefix)).some((beat) => beat.pid === worker.pid);
    await waitFor(beating, { description: 'the worker\'s heartbeat' });

    worker.child.kill('SIGINT');
    // The heartbeat is the first step to go: once it has, the process is draining (the page is held, so it cannot end).
    await waitFor(async () => !(await beating()), { description: 'the worker to start its shutdown' });
    const listeners = await connection.publish(cancelChannel(prefix), JSON.stringify({ type: 'page-extract', id: job.id }));
    expect(listeners).toBe(1);

    const { job: cancelled, state } = await finished(queue, String(job.id));
    expect(state).toBe('failed');
    expect(cancelled.failedReason).toMatch(/^cancelled: /);
    expect(await whenExited(worker)).toBe(0);
  });

  it('drains and exits while Redis is unreachable; the job whose outcome could not be recorded is recovered afterwards', async ({ redis, connection, queue, page, startWorker, addLastAttemptJob }) => {
    const worker = await startWorker({ WORKER_DRAIN_GRACE_MS: '4000' });
    const job = await addLastAttemptJob();
    await waitFor(() => page.requests === 1, { description: 'the handler to be fetching the page' });

    await redis.kill();
    worker.child.kill('SIGINT');
    // The active job runs to its end during the drain: its page is sent in full.
    page.release();
    await waitFor(() => page.served === 1, { description: 'the held page to be served' });
    // A clean exit (0), not the shutdown timer's (1): no step waited on Redis without a bound.
    expect(await whenExited(worker)).toBe(0);

    await redis.restart();
    await waitForRedis(connection);
    await startWorker({});
    const { job: done, state } = await finished(queue, String(job.id));
    expect(state).toBe('completed');
    expect(done.attemptsMade).toBe(1);
  });

  it('leaves a job it cannot hand back (Redis down past the grace) to stalled recovery, still without spending its last attempt', async ({ redis, connection, queue, page, startWorker, addLastAttemptJob }) => {
    const worker = await startWorker({ WORKER_DRAIN_GRACE_MS: '1000' });
    const job = await addLastAttemptJob();
    await waitFor(() => page.requests === 1, { description: 'the handler to be fetching the page' });

    await redis.kill();
    // The page stays held: the grace runs out with the job active and no Redis to take it back.
    expect(await new Promise((done) => worker.child.once('exit', done).kill('SIGINT'))).toBe(0);

    await redis.restart();
    await waitForRedis(connection);
    expect(await attemptsMadeOf(connection, queue, job)).toBe(0);
    page.release();
    await startWorker({});
    const { job: done, state } = await finished(queue, String(job.id));
    expect(state).toBe('completed');
    expect(done.attemptsMade).toBe(1);
  });
});
