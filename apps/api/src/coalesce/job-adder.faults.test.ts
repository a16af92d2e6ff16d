import { newJobId } from '@floodgate/shared/queues';
import { createLogger } from '@floodgate/shared/logger';
import { createRedis, waitForRedis } from '@floodgate/shared/redis';
import { startRedis, startTcpFaultProxy, waitFor, type PrivateRedis, type TcpFaultProxy } from '@floodgate/testkit';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpError } from '../errors';
import { closeQueues, createQueues, type JobQueues } from '../redis/queues';
import { createJobAdder } from './job-adder';

const PREFIX = '{adder-faults}';
const logger = createLogger({ name: 'test', level: 'silent', pretty: false });

/**
 * The producer connection goes through a loopback fault proxy; Redis is
 * checked on a direct connection. Each fault: what the adder answers, and
 * what Redis holds afterwards.
 */
describe('adding jobs while the connection fails', () => {
  let server: PrivateRedis;
  let proxy: TcpFaultProxy;
  let redis: Redis;
  let direct: Redis;
  let queues: JobQueues;
  beforeAll(async () => {
    server = await startRedis();
    proxy = await startTcpFaultProxy({ target: server.url });
    redis = createRedis('producer', { url: proxy.url, logger });
    direct = createRedis('producer', { url: server.url, logger });
    await Promise.all([waitForRedis(redis), waitForRedis(direct)]);
    queues = createQueues(redis, PREFIX);
    await queues.compute.waitUntilReady();
  });
  afterAll(async () => {
    await closeQueues(queues);
    redis.disconnect();
    direct.disconnect();
    await proxy?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    proxy.resume();
    await waitFor(() => redis.status === 'ready' || undefined, { description: 'the producer connection back' });
  });

  const rejection = async (promise: Promise<unknown>) => {
    const outcome = await promise.then(
      () => undefined,
      (err: unknown) => err as HttpError,
    );
    expect(outcome, 'the add was expected to fail').toBeDefined();
    return outcome as HttpError;
  };
  const storedCopies = async (id: string) => (await direct.keys(`${PREFIX}:compute:${id}`)).length;

  it('a lost reply: enqueue_outcome_unknown naming the job, which Redis holds once (the add is not resent)', async () => {
    const adder = createJobAdder(queues, redis);
    const id = newJobId();
    const cut = proxy.loseReplyTo(id);
    const err = await rejection(adder.add('compute', { data: { n: 1, m: 1 }, opts: { jobId: id } }));
    await cut;
    expect(err.code).toBe('enqueue_outcome_unknown');
    expect(err.status).toBe(503);
    expect(err.details).toMatchObject({ id, type: 'compute' });
    await waitFor(() => redis.status === 'ready' || undefined);
    expect(await storedCopies(id)).toBe(1);
    expect(await direct.lrange(`${PREFIX}:compute:wait`, 0, -1)).toEqual(expect.arrayContaining([id]));
    expect((await direct.lrange(`${PREFIX}:compute:wait`, 0, -1)).filter((x) => x === id)).toHaveLength(1);
  });

  it('a batch cut halfway: every job of it is enqueue_outcome_unknown with its own id', async () => {
    const adder = createJobAdder(queues, redis);
    const ids = [newJobId(), newJobId(), newJobId()];
    const cut = proxy.dropAfterClientBytes(5, { after: ids[1] });
    const errors = await Promise.all(ids.map((id) => rejection(adder.add('compute', { data: { n: 2, m: 1 }, opts: { jobId: id } }))));
    await cut;
    expect(errors.map((e) => e.code)).toEqual(['enqueue_outcome_unknown', 'enqueue_outcome_unknown', 'enqueue_outcome_unknown']);
    expect(errors.map((e) => (e.details as { id: string }).id)).toEqual(ids);
  });

  it('a connection that goes silent past the deadline: enqueue_outcome_unknown, never a hang', async () => {
    const adder = createJobAdder(queues, redis, { deadlineMs: 300 });
    const id = newJobId();
    proxy.stall();
    const err = await rejection(adder.add('compute', { data: { n: 3, m: 1 }, opts: { jobId: id } }));
    expect(err.code).toBe('enqueue_outcome_unknown');
    expect(err.details).toMatchObject({ id });
  });

  it('no connection at all: redis_unavailable, and nothing is stored', async () => {
    const adder = createJobAdder(queues, redis);
    await proxy.refuseNew();
    proxy.reset();
    await waitFor(() => redis.status !== 'ready' || undefined);
    const id = newJobId();
    const err = await rejection(adder.add('compute', { data: { n: 4, m: 1 }, opts: { jobId: id } }));
    expect(err.code).toBe('redis_unavailable');
    await proxy.acceptNew();
    expect(await storedCopies(id)).toBe(0);
  });
});
