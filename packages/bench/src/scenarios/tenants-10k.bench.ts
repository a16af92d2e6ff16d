import { defineFairScripts, fairPartition, type FairPartition } from '@floodgate/shared/fairness';
import { catalog, jobOptionsFor } from '@floodgate/shared/jobs';
import { createRedis } from '@floodgate/shared/redis';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BenchContext, ResultRow, Scenario } from '../scenario';
import { round } from '../support/stats';

const TEXT = 'The service was quick and the staff were lovely.';
/** Jobs moved per settle call while measuring: a busy worker's. */
const BATCH = 100;

/**
 * Fairness at scale, on its scripts alone (no workers): Redis cost of picking the next job with 10,000 tenants waiting vs
 * 10, memory per waiting tenant beyond its jobs (vs BullMQ's own add), and what an idle tenant leaves behind (nothing).
 */
export const tenants10k: Scenario = {
  name: 'tenants-10k',
  title: 'Fairness with 10,000 tenants waiting: the cost of picking a job, memory per tenant, and an idle tenant\'s keys',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const many = ctx.size(10_000, 1_000);
    const tenth = many / 10;
    const few = 10;
    const picks = ctx.size(10_000, 2_000);
    const connection = createRedis('worker', { url: ctx.redisUrl, logger: ctx.logger });
    defineFairScripts(connection);
    try {
      // Each tenant keeps jobs waiting while picks are measured: the ready set stays full.
      const perTenant = (tenants: number) => Math.ceil((picks * 2) / tenants) + 1;
      const pickMany = await pickCost(ctx, connection, many, perTenant(many), picks);
      const pickTenth = await pickCost(ctx, connection, tenth, perTenant(tenth), picks);
      const pickFew = await pickCost(ctx, connection, few, perTenant(few), picks);
      const memory = await memoryPerTenant(ctx, connection, many);
      return [
        {
          scenario: this.name,
          metric: `Redis µs per job picked, ${many} tenants waiting vs ${tenth}`,
          floodgate: round(pickMany),
          baseline: round(pickTenth),
          better: 'lower',
          target: 0.67,
          note:
            `settle calls moving ${BATCH} jobs each, script time from INFO commandstats. A pick is O(log tenants) (the ready set is a sorted set): ` +
            `ten times the tenants may cost at most 1.5× (target ≥ 0.67×). With ${few} tenants: ${round(pickFew)} µs, as a call's ${BATCH} jobs then share their tenants' bookkeeping`,
        },
        {
          scenario: this.name,
          metric: `Redis bytes per tenant with a job waiting, beyond the job itself (${many} tenants)`,
          floodgate: round(memory.bytesPerTenant),
          baseline: null,
          better: 'lower',
          target: null,
          met: memory.bytesPerTenant < 1_024,
          note: `used_memory with ${many} jobs of ${many} tenants, minus the same jobs added by BullMQ's add; met below 1 KiB`,
        },
        {
          scenario: this.name,
          metric: 'fairness keys left per idle tenant (its jobs ran, none waits)',
          floodgate: memory.keysLeftPerTenant,
          baseline: null,
          better: 'lower',
          target: null,
          met: memory.keysLeftPerTenant === 0,
          note: 'keys named for a tenant (lanes, groups, running slots, state) once every job was dispatched and finished; its recent waits, kept 10 minutes for operators, are not counted',
        },
      ];
    } finally {
      connection.disconnect();
    }
  },
};

function addJobs(fair: FairPartition, connection: Redis, tenants: number, perTenant: number, from = 0): Promise<unknown> {
  const opts = jobOptionsFor(catalog.sentiment);
  const data = JSON.stringify({ text: TEXT });
  const all: Array<Promise<unknown>> = [];
  let pipeline = connection.pipeline();
  let queued = 0;
  for (let round = 0; round < perTenant; round++) {
    for (let t = 0; t < tenants; t++) {
      const id = `j${from + round * tenants + t}`;
      const tenant = `key:${String(t).padStart(12, '0')}`;
      fair.queueAdd({ id, name: 'sentiment', data, opts: JSON.stringify({ ...opts, jobId: id, tenant }), timestamp: Date.now(), delayMs: 0, priority: 0, tenant: { id: tenant, group: '' }, weight: 1, backlogCap: 0 }, pipeline);
      if (++queued === 1_000) {
        all.push(pipeline.exec());
        pipeline = connection.pipeline();
        queued = 0;
      }
    }
  }
  all.push(pipeline.exec());
  return Promise.all(all);
}

/** Script µs per job moved to wait, `picks` of them in calls of BATCH, with `tenants` tenants all waiting. */
async function pickCost(ctx: BenchContext, connection: Redis, tenants: number, perTenant: number, picks: number): Promise<number> {
  const queue = new Queue('sentiment', { connection, prefix: ctx.newPrefix() });
  const fair = fairPartition(connection, queue);
  try {
    await addJobs(fair, connection, tenants, perTenant);
    await fair.register('bench', BATCH / 2, 600_000, 0);
    await connection.config('RESETSTAT');
    let moved = 0;
    while (moved < picks) {
      const { moved: now } = await fair.settle({ now: Date.now(), finished: [], retrying: [], waits: new Map() });
      if (now === 0) throw new Error('the lanes ran dry before the measurement ended');
      moved += now;
      // Workers took them: room for the next call.
      await connection.del(queue.keys.wait!);
    }
    return scriptMicros(await connection.info('commandstats')) / moved;
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

async function memoryPerTenant(ctx: BenchContext, connection: Redis, tenants: number): Promise<{ bytesPerTenant: number; keysLeftPerTenant: number }> {
  const used = async () => Number(/used_memory:(\d+)/.exec(await connection.info('memory'))?.[1]);
  // BullMQ's own add, one job per "tenant" (BullMQ has none): the jobs' own cost.
  const plain = new Queue('sentiment', { connection, prefix: ctx.newPrefix() });
  const before = await used();
  for (let i = 0; i < tenants; i += 1_000) {
    await plain.addBulk(Array.from({ length: Math.min(1_000, tenants - i) }, (_, n) => ({ name: 'sentiment', data: { text: TEXT }, opts: { ...jobOptionsFor(catalog.sentiment), jobId: `j${i + n}` } })));
  }
  const plainBytes = (await used()) - before;
  await plain.obliterate({ force: true });
  await plain.close();

  const queue = new Queue('sentiment', { connection, prefix: ctx.newPrefix() });
  const fair = fairPartition(connection, queue);
  try {
    const start = await used();
    await addJobs(fair, connection, tenants, 1);
    const fairBytes = (await used()) - start;
    // Every job dispatched, run (taken from wait) and finished: then nothing of any tenant is left.
    await fair.register('bench', tenants, 600_000, 0);
    const ids: string[] = [];
    for (;;) {
      const { moved } = await fair.settle({ now: Date.now(), finished: [], retrying: [], waits: new Map() });
      const taken = await connection.lrange(queue.keys.wait!, 0, -1);
      await connection.del(queue.keys.wait!);
      ids.push(...taken);
      if (moved === 0) break;
    }
    for (let i = 0; i < ids.length; i += 1_000) {
      const finished = ids.slice(i, i + 1_000).map((id) => ({ id, tenant: `key:${String(Number(id.slice(1))).padStart(12, '0')}` }));
      await fair.settle({ now: Date.now(), finished, retrying: [], waits: new Map() });
    }
    const left = await countKeys(connection, `${queue.toKey('')}fair:*key:*`);
    return { bytesPerTenant: (fairBytes - plainBytes) / tenants, keysLeftPerTenant: left / tenants };
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

async function countKeys(connection: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, keys] = await connection.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
    cursor = next;
    count += keys.length;
  } while (cursor !== '0');
  return count;
}

/** Total µs Redis spent in scripts (EVAL and EVALSHA) since the last RESETSTAT. */
function scriptMicros(commandstats: string): number {
  return [...commandstats.matchAll(/cmdstat_(?:evalsha|eval):calls=\d+,usec=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
}
