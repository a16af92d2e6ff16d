import { randomUUID } from 'node:crypto';
import { startRedis, type PrivateRedis } from '@floodgate/testkit';
import { Queue } from 'bullmq';
import { describe, expect, test as base } from 'vitest';
import { createLogger } from '../logger';
import { createRedis, type RedisClient } from '../redis/create-redis';
import { waitForRedis } from '../redis/wait-for-redis';
import { fairPartition, type FairJob, type FairPartition } from './fair-partition';
import { heldJobCounts, heldJobState } from './fair-reads';

/**
 * The fairness scripts against a real Redis and a real BullMQ queue: what the
 * add, settle, register, pause, forget and reconcile calls do to the lanes and
 * to BullMQ's own lists. One redis-server per file; a fresh queue per test.
 */
const test = base.extend<{ server: PrivateRedis; redis: RedisClient; queue: Queue; fair: FairPartition }>({
  server: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const server = await startRedis();
      await use(server);
      await server.stop();
    },
    { scope: 'file' },
  ],
  redis: async ({ server }, use) => {
    const redis = createRedis('worker', { url: server.url, logger: createLogger({ name: 'test', level: 'silent', pretty: false }) });
    await waitForRedis(redis);
    await use(redis);
    redis.disconnect();
  },
  queue: async ({ redis }, use) => {
    const queue = new Queue(`{fair-${randomUUID()}}`, { connection: redis, prefix: 'fg' });
    await use(queue);
    await queue.close();
  },
  fair: async ({ redis, queue }, use) => use(fairPartition(redis, queue)),
});

let seq = 0;
function job(tenant: string, options: { group?: string; weight?: number; delayMs?: number; priority?: number; backlogCap?: number } = {}): FairJob {
  seq += 1;
  return {
    id: `j${seq}-${tenant.replace(/[^a-z0-9]/gi, '')}-${options.group ?? ''}`,
    name: 'test',
    data: JSON.stringify({ n: seq }),
    opts: JSON.stringify({ attempts: 1, tenant }),
    timestamp: Date.now(),
    delayMs: options.delayMs ?? 0,
    priority: options.priority ?? 0,
    tenant: { id: tenant, group: options.group ?? '' },
    weight: options.weight ?? 1,
    backlogCap: options.backlogCap ?? 0,
  };
}

/** The tenant of each job in wait, in the order workers take them. */
async function waitOrder(redis: RedisClient, queue: Queue): Promise<string[]> {
  const ids = await redis.lrange(queue.keys.wait!, 0, -1);
  return ids.reverse().map((id) => id.split('-')[1]!);
}

const empty = { finished: [], retrying: [], waits: new Map() };

describe('fair dispatch inside one partition', () => {
  test('holds jobs in their tenant lanes until a worker says it has room, then moves them in turn', async ({ redis, queue, fair }) => {
    for (let i = 0; i < 6; i++) await fair.add(job('key:a'));
    for (let i = 0; i < 2; i++) await fair.add(job('key:b'));
    expect(await redis.llen(queue.keys.wait!)).toBe(0);
    expect(await heldJobCounts(redis, queue)).toEqual({ waiting: 8, prioritized: 0, delayed: 0 });
    expect(await heldJobState(redis, queue, 'no-such-job')).toBe('unknown');
    const [first] = await redis.lrange(fair.keys.base + 'fair:l:key:a/', 0, 0);
    expect(await heldJobState(redis, queue, first!)).toBe('waiting');
    // Two slots: a target of 4 (twice the slots).
    expect(await fair.register('w1', 2, 10_000, 0)).toBe(4);
    const { moved } = await fair.settle({ now: Date.now(), ...empty });
    expect(moved).toBe(4);
    expect(await waitOrder(redis, queue)).toEqual(['keya', 'keyb', 'keya', 'keyb']);
    expect(await heldJobCounts(redis, queue)).toEqual({ waiting: 4, prioritized: 0, delayed: 0 });
  });

  test('keeps each tenant in FIFO order and alternates between them, whoever flooded first', async ({ redis, queue, fair }) => {
    const flood = Array.from({ length: 20 }, () => job('key:flood'));
    for (const j of flood) await fair.add(j);
    const trickle = [job('key:trickle'), job('key:trickle')];
    for (const j of trickle) await fair.add(j);
    await fair.register('w1', 100, 10_000, 0);
    await fair.settle({ now: Date.now(), ...empty });
    const ids = (await redis.lrange(queue.keys.wait!, 0, -1)).reverse();
    // The trickle's two jobs go within the first four, not after the flood's twenty.
    expect(ids.indexOf(trickle[0]!.id)).toBeLessThan(2);
    expect(ids.indexOf(trickle[1]!.id)).toBeLessThan(4);
    expect(ids.filter((id) => id.includes('keyflood'))).toEqual(flood.map((j) => j.id));
  });

  test('gives a weight-3 tenant three turns for each of a weight-1 tenant', async ({ redis, queue, fair }) => {
    for (let i = 0; i < 40; i++) await fair.add(job('key:heavy', { weight: 3 }));
    for (let i = 0; i < 40; i++) await fair.add(job('key:light', { weight: 1 }));
    await fair.register('w1', 16, 10_000, 0); // target 32
    await fair.settle({ now: Date.now(), ...empty });
    const order = await waitOrder(redis, queue);
    expect(order.length).toBe(32);
    expect(order.filter((t) => t === 'keyheavy').length).toBe(24);
  });

  test('shares a tenant turn among its groups', async ({ redis, queue, fair }) => {
    for (let i = 0; i < 10; i++) await fair.add(job('key:a', { group: 'big' }));
    await fair.add(job('key:a', { group: 'small' }));
    await fair.add(job('key:b'));
    await fair.register('w1', 2, 10_000, 0); // target 4
    await fair.settle({ now: Date.now(), ...empty });
    const ids = (await redis.lrange(queue.keys.wait!, 0, -1)).reverse();
    // key:a's first turn goes to one group and its second to the other; key:b gets its turn between them.
    expect(ids.map((id) => id.split('-').slice(1).join('-'))).toEqual(['keya-big', 'keyb-', 'keya-small', 'keya-big']);
  });

  test('never dispatches more of a tenant than its cap, and frees a slot when a job finishes', async ({ redis, queue, fair }) => {
    const jobs = Array.from({ length: 5 }, () => job('key:a'));
    for (const j of jobs) await fair.add(j);
    await fair.register('w1', 10, 10_000, 2);
    await fair.settle({ now: Date.now(), ...empty });
    expect(await redis.llen(queue.keys.wait!)).toBe(2);
    // A worker takes one and finishes it: the next one of the tenant may go.
    await redis.lmove(queue.keys.wait!, queue.keys.active!, 'RIGHT', 'LEFT');
    await redis.lrem(queue.keys.active!, 1, jobs[0]!.id);
    const { moved } = await fair.settle({ now: Date.now(), finished: [{ id: jobs[0]!.id, tenant: 'key:a' }], retrying: [], waits: new Map() });
    expect(moved).toBe(1);
    expect(await redis.smembers(fair.keys.runningOf('key:a'))).toHaveLength(2);
    // The same finish told twice frees nothing more.
    await fair.settle({ now: Date.now(), finished: [{ id: jobs[0]!.id, tenant: 'key:a' }], retrying: [], waits: new Map() });
    expect(await redis.smembers(fair.keys.runningOf('key:a'))).toHaveLength(2);
  });

  test('keeps a paused tenant\'s jobs back while the others run, and lets them go on resume', async ({ redis, queue, fair }) => {
    for (let i = 0; i < 3; i++) await fair.add(job('key:a'));
    for (let i = 0; i < 3; i++) await fair.add(job('key:b'));
    expect(await fair.pauseTenant('key:a', true)).toBe(true);
    await fair.register('w1', 10, 10_000, 0);
    await fair.settle({ now: Date.now(), ...empty });
    expect(await waitOrder(redis, queue)).toEqual(['keyb', 'keyb', 'keyb']);
    expect(await fair.pauseTenant('key:a', false)).toBe(true);
    expect((await waitOrder(redis, queue)).filter((t) => t === 'keya')).toHaveLength(3);
  });

  test('holds delayed jobs until due, then puts them in their lane', async ({ redis, queue, fair }) => {
    const later = job('key:a', { delayMs: 60_000 });
    await fair.add(later);
    await fair.register('w1', 10, 10_000, 0);
    const first = await fair.settle({ now: Date.now(), ...empty });
    expect(first.moved).toBe(0);
    expect(first.nextDueAt).toBe(later.timestamp + 60_000);
    expect(await heldJobState(redis, queue, later.id)).toBe('delayed');
    expect(await heldJobCounts(redis, queue)).toEqual({ waiting: 0, prioritized: 0, delayed: 1 });
    const due = await fair.settle({ now: later.timestamp + 60_001, ...empty });
    expect(due.moved).toBe(1);
    expect(await redis.hget(`${queue.toKey('')}${later.id}`, 'delay')).toBe('0');
  });

  test('refuses a tenant past its backlog cap, and no one else', async ({ fair }) => {
    expect(await fair.add(job('key:a', { backlogCap: 2 }))).toEqual({ outcome: 'added', id: expect.stringMatching(/^j/) });
    expect(await fair.add(job('key:a', { backlogCap: 2 }))).toEqual({ outcome: 'added', id: expect.stringMatching(/^j/) });
    expect(await fair.add(job('key:a', { backlogCap: 2 }))).toEqual({ outcome: 'tenant_queue_full', backlog: 2 });
    expect(await fair.add(job('key:b', { backlogCap: 2 }))).toEqual({ outcome: 'added', id: expect.stringMatching(/^j/) });
  });

  test('adds a job id once, whatever is sent again', async ({ redis, queue, fair }) => {
    const one = job('key:a');
    await fair.add(one);
    await fair.add(one);
    expect(await heldJobCounts(redis, queue)).toEqual({ waiting: 1, prioritized: 0, delayed: 0 });
  });

  test('forgets a cancelled job at once, and an idle tenant leaves no key behind', async ({ redis, queue, fair }) => {
    const one = job('key:a');
    await fair.add(one);
    await redis.del(`${queue.toKey('')}${one.id}`);
    expect(await fair.forget(one.id, one.tenant)).toBe(true);
    expect(await heldJobCounts(redis, queue)).toEqual({ waiting: 0, prioritized: 0, delayed: 0 });
    const keys = await redis.keys(`${queue.toKey('')}fair:*`);
    expect(keys.filter((key) => key.includes('key:a'))).toEqual([]);
  });

  test('frees the running slots of jobs that finished while nobody settled them', async ({ redis, queue, fair }) => {
    const jobs = [job('key:a'), job('key:a'), job('key:a')];
    for (const j of jobs) await fair.add(j);
    await fair.register('w1', 10, 10_000, 1);
    await fair.settle({ now: Date.now(), ...empty });
    expect(await redis.llen(queue.keys.wait!)).toBe(1);
    // The worker finished the job and died before its settle call: the slot leaks...
    await redis.lrem(queue.keys.wait!, 1, jobs[0]!.id);
    await redis.hset(`${queue.toKey('')}${jobs[0]!.id}`, 'finishedOn', Date.now());
    expect((await fair.settle({ now: Date.now(), ...empty })).moved).toBe(0);
    // ...until the reconcile sees it.
    expect((await fair.reconcile(100)).freed).toBe(1);
    expect((await fair.settle({ now: Date.now(), ...empty })).moved).toBe(1);
  });
});
