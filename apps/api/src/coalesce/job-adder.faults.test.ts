import { newJobId } from '@floodgate/shared/queues';
import { waitFor } from '@floodgate/testkit';
import { describe, expect } from 'vitest';
import type { HttpError } from '../errors';
import type { JobQueues } from '../redis/queues';
import { queuesOn, redisConnectionsTest } from '../testing/redis-connections-test';
import { createJobAdder } from './job-adder';

/**
 * The producer connection goes through a loopback fault proxy; Redis is
 * checked on a direct connection. Each fault: what the adder answers, and
 * what Redis holds afterwards. Each test has a proxy, connections and queues
 * of its own (on the file's server), so the fault it makes ends with it.
 */
const test = redisConnectionsTest.extend<{ queues: JobQueues; storedCopies: (id: string) => Promise<number> }>({
  queues: ({ proxied, prefix }, use) => queuesOn(proxied, prefix, use),
  storedCopies: ({ direct, prefix }, use) => use(async (id) => (await direct.keys(`${prefix}:compute:${id}`)).length),
});

describe('adding jobs while the connection fails', () => {
  const rejection = async (promise: Promise<unknown>) => {
    const outcome = await promise.then(
      () => undefined,
      (err: unknown) => err as HttpError,
    );
    expect(outcome, 'the add was expected to fail').toBeDefined();
    return outcome as HttpError;
  };

  test('a lost reply: enqueue_outcome_unknown naming the job, which Redis holds once (the add is not resent)', async ({ queues, proxied: redis, proxy, direct, storedCopies, prefix }) => {
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
    expect(await direct.lrange(`${prefix}:compute:wait`, 0, -1)).toEqual(expect.arrayContaining([id]));
    expect((await direct.lrange(`${prefix}:compute:wait`, 0, -1)).filter((x) => x === id)).toHaveLength(1);
  });

  test('a batch cut halfway: every job of it is enqueue_outcome_unknown with its own id', async ({ queues, proxied: redis, proxy }) => {
    const adder = createJobAdder(queues, redis);
    const ids = [newJobId(), newJobId(), newJobId()];
    const cut = proxy.dropAfterClientBytes(5, { after: ids[1] });
    const errors = await Promise.all(ids.map((id) => rejection(adder.add('compute', { data: { n: 2, m: 1 }, opts: { jobId: id } }))));
    await cut;
    expect(errors.map((e) => e.code)).toEqual(['enqueue_outcome_unknown', 'enqueue_outcome_unknown', 'enqueue_outcome_unknown']);
    expect(errors.map((e) => (e.details as { id: string }).id)).toEqual(ids);
  });

  test('a connection that goes silent past the deadline: enqueue_outcome_unknown, never a hang', async ({ queues, proxied: redis, proxy }) => {
    const adder = createJobAdder(queues, redis, { deadlineMs: 300 });
    const id = newJobId();
    proxy.stall();
    const err = await rejection(adder.add('compute', { data: { n: 3, m: 1 }, opts: { jobId: id } }));
    expect(err.code).toBe('enqueue_outcome_unknown');
    expect(err.details).toMatchObject({ id });
  });

  test('no connection at all: redis_unavailable, and nothing is stored', async ({ queues, proxied: redis, proxy, storedCopies }) => {
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
