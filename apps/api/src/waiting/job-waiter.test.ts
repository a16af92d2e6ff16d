import { randomUUID } from 'node:crypto';
import { closeQueues, openQueues, queueIdentity, type JobQueues } from '@floodgate/shared/queues';
import { createLogger } from '@floodgate/shared/logger';
import { createRedis, redisOptionsFromUrl } from '@floodgate/shared/redis';
import { startRedis, type PrivateRedis } from '@floodgate/testkit';
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobWaiter, type JobWaiter } from './job-waiter';

describe('job waiter', () => {
  let redis: PrivateRedis;
  let waiter: JobWaiter;
  let queue: Queue;
  let queues: JobQueues | undefined;
  let worker: Worker | undefined;
  let eventsConnection: ReturnType<typeof createRedis> | undefined;
  const prefix = `{fg-waiter-${randomUUID()}}`;
  const connection = () => ({ ...redisOptionsFromUrl(redis.url), maxRetriesPerRequest: null });

  beforeAll(async () => {
    redis = await startRedis();
    const logger = createLogger({ name: 'waiter-test', level: 'silent', pretty: false });
    eventsConnection = createRedis('worker', { url: redis.url, logger });
    queues = openQueues(eventsConnection, prefix);
    waiter = createJobWaiter({ connection: eventsConnection, queues, logger });
    const { name } = queueIdentity('sentiment', prefix);
    queue = new Queue(name, { prefix, connection: connection() });
  });
  afterAll(async () => {
    await worker?.close();
    await queue?.close();
    await waiter?.close();
    if (queues) await closeQueues(queues);
    eventsConnection?.disconnect();
    await redis?.stop();
  });

  it('hears a job that finishes right after its waiter checked it, before the new subscriber first read the stream', { timeout: 30_000 }, async () => {
    // A waiter of its own: its subscriber opens with this wait, as on an API's first ?wait=.
    const logger = createLogger({ name: 'waiter-test', level: 'silent', pretty: false });
    const fresh = createJobWaiter({ connection: eventsConnection!, queues: queues!, logger });
    try {
      const id = randomUUID();
      const events = queue.keys.events ?? '';
      // The job "finishes" the moment the waiter has checked it: the event lands before the
      // subscriber's first XREAD, which from `$` would never see it.
      const final = await fresh.wait(
        'sentiment',
        id,
        10_000,
        async () => {
          await eventsConnection!.xadd(events, '*', 'event', 'completed', 'jobId', id, 'returnvalue', JSON.stringify({ score: 1 }), 'prev', 'active');
          return false;
        },
        new AbortController().signal,
      );
      expect(final).toEqual({ event: 'completed', returnvalue: { score: 1 } });
    } finally {
      await fresh.close();
    }
  });

  it('a waiter settled twice (timer, then isFinished) leaves a newer waiter for the same job in place', { timeout: 30_000 }, async () => {
    const id = randomUUID();
    let finishFirst!: (finished: boolean) => void;
    const firstChecked = new Promise<boolean>((resolve) => (finishFirst = resolve));
    // The first waiter times out at once; its isFinished answers only later.
    const first = await waiter.wait('sentiment', id, 1, () => firstChecked, new AbortController().signal);
    expect(first).toBeUndefined();

    let secondRegistered!: () => void;
    const registered = new Promise<void>((resolve) => (secondRegistered = resolve));
    const second = waiter.wait(
      'sentiment',
      id,
      20_000,
      async () => {
        secondRegistered();
        return false;
      },
      new AbortController().signal,
    );
    await registered;
    // The first waiter's isFinished settles now: it must not take the second's entry with it.
    finishFirst(true);
    await firstChecked;

    const { name } = queueIdentity('sentiment', prefix);
    worker = new Worker(name, async () => 'scored', { prefix, connection: connection() });
    await queue.add('sentiment', { text: 'hello' }, { jobId: id });
    expect(await second).toEqual({ event: 'completed', returnvalue: 'scored' });
  });
});
