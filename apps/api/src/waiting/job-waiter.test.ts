import { randomUUID } from 'node:crypto';
import { closeQueues, openQueues, queueIdentity, type JobQueues } from '@floodgate/shared/queues';
import { createLogger } from '@floodgate/shared/logger';
import { createRedis, redisOptionsFromUrl } from '@floodgate/shared/redis';
import { Queue, Worker, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { redisConnectionsTest } from '../testing/redis-connections-test';
import { createJobWaiter, type JobWaiter } from './job-waiter';

const logger = createLogger({ name: 'waiter-test', level: 'silent', pretty: false });

/** The sentiment queue's name under `prefix`, and BullMQ options for it on a connection of its own to `url`. */
const sentimentQueue = (url: string, prefix: string) => ({
  name: queueIdentity('sentiment', prefix).name,
  options: { prefix, connection: { ...redisOptionsFromUrl(url), maxRetriesPerRequest: null } },
});

/** For one test, on the file's server under the test's prefix: what the API's waiter reads, and BullMQ's side of the sentiment queue. */
const test = redisConnectionsTest.extend<{
  /** A `worker` connection, and the queues opened on it. */
  events: { connection: Redis; queues: JobQueues };
  waiter: JobWaiter;
  /** The sentiment queue, on a connection of its own. */
  queue: Queue;
  /** Starts a worker on the sentiment queue, closed after the test. */
  startWorker: (processor: Processor) => Worker;
}>({
  events: async ({ redis, prefix }, use) => {
    const connection = createRedis('worker', { url: redis.url, logger });
    const queues = openQueues(connection, prefix);
    await use({ connection, queues });
    await closeQueues(queues);
    connection.disconnect();
  },
  waiter: async ({ events }, use) => {
    const waiter = createJobWaiter({ ...events, logger });
    await use(waiter);
    await waiter.close();
  },
  queue: async ({ redis, prefix }, use) => {
    const { name, options } = sentimentQueue(redis.url, prefix);
    const queue = new Queue(name, options);
    await use(queue);
    await queue.close();
  },
  startWorker: async ({ redis, prefix }, use) => {
    const { name, options } = sentimentQueue(redis.url, prefix);
    const workers: Worker[] = [];
    await use((processor) => {
      const worker = new Worker(name, processor, options);
      workers.push(worker);
      return worker;
    });
    await Promise.all(workers.map((worker) => worker.close()));
  },
});

describe('job waiter', () => {
  test('hears a job that finishes right after its waiter checked it, before the new subscriber first read the stream', { timeout: 30_000 }, async ({ events: { connection: eventsConnection, queues }, queue }) => {
    // A waiter of its own: its subscriber opens with this wait, as on an API's first ?wait=.
    const fresh = createJobWaiter({ connection: eventsConnection, queues, logger });
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
          await eventsConnection.xadd(events, '*', 'event', 'completed', 'jobId', id, 'returnvalue', JSON.stringify({ score: 1 }), 'prev', 'active');
          return false;
        },
        new AbortController().signal,
      );
      expect(final).toEqual({ event: 'completed', returnvalue: { score: 1 } });
    } finally {
      await fresh.close();
    }
  });

  test('a waiter settled twice (timer, then isFinished) leaves a newer waiter for the same job in place', { timeout: 30_000 }, async ({ waiter, queue, startWorker }) => {
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

    startWorker(async () => 'scored');
    await queue.add('sentiment', { text: 'hello' }, { jobId: id });
    expect(await second).toEqual({ event: 'completed', returnvalue: 'scored' });
  });
});
