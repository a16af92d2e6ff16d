import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateApiKey } from '@floodgate/shared/api-keys';
import { jobTypes, partitionOfJobId, queueIdentity } from '@floodgate/shared/jobs';
import { keySlot } from '@floodgate/shared/redis';
import { freePort, redisCli, spawnNodeProcess, startRedisCluster, startRedisSentinel, waitFor, type RunningProcess } from '@floodgate/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API_ENTRY, FAST_RECOVERY_ENV, WORKER_ENTRY } from './stack-entries';

/** An admin API key: the API refuses /v1 requests without one. The process gets only its record. */
const apiKey = generateApiKey('e2e', ['admin']);
const auth = { authorization: `Bearer ${apiKey.key}` };


const payloads: Record<string, (pageUrl: string) => unknown> = {
  sentiment: () => ({ text: 'a wonderful day' }),
  compute: () => ({ n: 2, m: 100 }),
  'page-extract': (pageUrl) => ({ url: pageUrl }),
};

interface Stack {
  api: string;
  prefix: string;
  processes: RunningProcess[];
}

/** The real API and worker processes against a Redis named by `redisEnv`. */
async function startStack(redisEnv: Record<string, string>, extra: Record<string, string> = {}): Promise<Stack> {
  const prefix = `e2e${Math.random().toString(36).slice(2, 8)}`;
  const apiPort = await freePort();
  const env = { ...redisEnv, QUEUE_PREFIX: prefix, PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS: 'true', ...extra };
  const processes = [
    await spawnNodeProcess(API_ENTRY, { ...env, API_PORT: String(apiPort), API_METRICS_PORT: '0', API_KEYS: JSON.stringify([apiKey.record]) }, 60_000),
    await spawnNodeProcess(WORKER_ENTRY, { ...env, ...FAST_RECOVERY_ENV }, 60_000),
  ];
  return { api: `http://127.0.0.1:${apiPort}`, prefix, processes };
}

const request = (stack: Stack, method: string, path: string, body?: unknown) =>
  fetch(`${stack.api}${path}`, {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });

/**
 * Enqueues sentiment jobs 4 at a time while `fault` runs, then until 20 more
 * are accepted after it, and follows every accepted job to its end. Returns
 * what was answered, what was lost (a 202 whose job never completed), and ids
 * answered twice (an id counter rolled back by a failover hands one out again).
 */
async function enqueueThrough(stack: Stack, fault: () => Promise<void>) {
  const statuses = new Map<number, number>();
  const accepted: string[] = [];
  let faultDone = false;
  let acceptedAfter = 0;
  let sent = 0;
  const faultStarted = waitFor(() => accepted.length >= 20, { timeoutMs: 60_000, description: '20 jobs accepted before the fault' }).then(fault).then(() => {
    faultDone = true;
  });
  const sender = async () => {
    // Bounded: the loop ends once 20 jobs went in after the fault, or after 4000 requests at most.
    while (!(faultDone && acceptedAfter >= 20) && sent < 4_000) {
      sent++;
      const res = await request(stack, 'POST', '/v1/jobs/sentiment', { payload: { text: `job ${sent}` } }).catch(() => undefined);
      const status = res?.status ?? 0;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status === 202) {
        accepted.push(((await res!.json()) as { id: string }).id);
        if (faultDone) acceptedAfter++;
      } else {
        await res?.body?.cancel();
      }
    }
  };
  await Promise.all([sender(), sender(), sender(), sender(), faultStarted]);
  const duplicates = accepted.length - new Set(accepted).size;
  let lost = 0;
  for (const id of new Set(accepted)) {
    const view = await waitFor(
      async () => {
        const res = await request(stack, 'GET', `/v1/jobs/sentiment/${id}?wait=20`);
        if (res.status === 404) return { state: 'lost' };
        if (res.status !== 200) return undefined;
        const body = (await res.json()) as { state: string };
        return ['completed', 'failed'].includes(body.state) ? body : undefined;
      },
      { timeoutMs: 60_000, description: `job ${id} to finish` },
    );
    if (view.state !== 'completed') lost++;
  }
  return { statuses: Object.fromEntries(statuses), accepted: accepted.length, acceptedAfter, lost, duplicates };
}

let page: Server;
let pageUrl: string;
beforeAll(async () => {
  page = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><head><title>floodgate e2e</title></head><body>hello</body></html>'));
  await new Promise<void>((done) => page.listen(0, '127.0.0.1', done));
  pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((done) => page.close(done));
});

describe('floodgate on a 3-primary + 3-replica Redis Cluster', () => {
  let cluster: Awaited<ReturnType<typeof startRedisCluster>>;
  let stack: Stack | undefined;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  });
  afterEach(async () => {
    await Promise.all(stack?.processes.map((p) => p.kill()) ?? []);
    stack = undefined;
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('runs every job type end to end, each queue and each of 6 sentiment partitions on a slot of its own, jobs on all three primaries', async () => {
    stack = await startStack({ REDIS_CLUSTER_NODES: cluster.seeds }, { QUEUE_PARTITIONS: 'sentiment=6' });
    const queueName = (type: (typeof jobTypes)[number], partition = 0) => `${stack!.prefix}:${queueIdentity(type, stack!.prefix, partition).name}`;
    const queues = [...jobTypes.map((type) => queueName(type)), ...[1, 2, 3, 4, 5].map((p) => queueName('sentiment', p))];
    expect(new Set(queues.map((name) => keySlot(`${name}:id`))).size).toBe(jobTypes.length + 5);
    for (const type of jobTypes) {
      const res = await request(stack, 'POST', `/v1/jobs/${type}?wait=20`, { payload: payloads[type]!(pageUrl) });
      const view = (await res.json()) as { id: string; state: string; error: unknown };
      expect(view, JSON.stringify(view)).toMatchObject({ state: 'completed' });
    }
    // Twelve sentiment jobs go round the six partitions; each job's keys live on the primary serving its partition's slot.
    const owners = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const view = (await (await request(stack, 'POST', '/v1/jobs/sentiment?wait=20', { payload: { text: `spread ${i}` } })).json()) as { id: string; state: string };
      expect(view.state).toBe('completed');
      const partition = partitionOfJobId(view.id)!;
      const owner = await cluster.primaryForSlot(keySlot(`${queueName('sentiment', partition)}:id`));
      expect(await redisCli(owner.port, 'exists', `${queueName('sentiment', partition)}:${view.id}`)).toBe('1\n');
      owners.add(owner.port);
    }
    expect(owners.size).toBe(3);
    // An idempotent repeat finds its job in the partition its key hashes to.
    const keyed = async () => {
      const res = await fetch(`${stack!.api}/v1/jobs/sentiment`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': 'cluster-order-1' },
        body: JSON.stringify({ payload: { text: 'once' } }),
      });
      return ((await res.json()) as { id: string }).id;
    };
    const first = await keyed();
    expect(await keyed()).toBe(first);
    const workers = (await (await request(stack, 'GET', '/v1/workers')).json()) as { workers: Array<{ pid: number }> };
    expect(workers.workers.map((w) => w.pid)).toEqual([stack.processes[1]!.pid]);
  });

  it.each([
    { ack: '1', assertNoLoss: true },
    { ack: '0', assertNoLoss: false },
  ])('rides out the failover of the primary holding the most sentiment partitions with REDIS_ACK_REPLICAS=$ack: only 202/429/503 meanwhile, workers resume', async ({ ack, assertNoLoss }) => {
    stack = await startStack({ REDIS_CLUSTER_NODES: cluster.seeds }, { REDIS_ACK_REPLICAS: ack, REDIS_ACK_TIMEOUT_MS: '1000', QUEUE_PARTITIONS: 'sentiment=6' });
    // The victim: the primary holding the most sentiment partitions.
    const holders = new Map<number, { port: number; partitions: number }>();
    for (let partition = 0; partition < 6; partition++) {
      const owner = await cluster.primaryForSlot(keySlot(`${stack.prefix}:${queueIdentity('sentiment', stack.prefix, partition).name}:id`));
      holders.set(owner.port, { port: owner.port, partitions: (holders.get(owner.port)?.partitions ?? 0) + 1 });
    }
    const victim = [...holders.values()].sort((a, b) => b.partitions - a.partitions)[0]!;
    const outcome = await enqueueThrough(stack, async () => {
      const heir = await cluster.killPrimaryAndWaitForFailover(victim.port);
      // The dead primary comes back as the new primary's replica, as an operator would restart it:
      // until then the promoted replica has no replica of its own to acknowledge writes.
      await cluster.nodes.find((n) => n.port === victim.port)!.restart();
      await waitFor(async () => /connected_slaves:1/.test(await redisCli(heir.port, 'info', 'replication')), {
        timeoutMs: 30_000,
        description: 'the old primary to rejoin as a replica',
      });
    });
    console.info(`cluster failover (REDIS_ACK_REPLICAS=${ack}):`, JSON.stringify(outcome));
    expect(Object.keys(outcome.statuses).map(Number).every((s) => [202, 429, 503].includes(s)), JSON.stringify(outcome)).toBe(true);
    expect(outcome.acceptedAfter).toBeGreaterThanOrEqual(20);
    // With a replica's acknowledgement before each 202, a failover loses no accepted job.
    if (assertNoLoss) expect(outcome.lost).toBe(0);
  });
});

describe('floodgate behind Redis Sentinel (1 primary, 2 replicas, 3 sentinels)', () => {
  let sentinel: Awaited<ReturnType<typeof startRedisSentinel>>;
  let stack: Stack | undefined;
  beforeAll(async () => {
    sentinel = await startRedisSentinel();
  });
  afterAll(async () => {
    await Promise.all(stack?.processes.map((p) => p.kill()) ?? []);
    await sentinel?.stop();
  });

  it('runs jobs end to end and rides out a failover with REDIS_ACK_REPLICAS=1: only 202/429/503 meanwhile, workers resume, nothing accepted is lost', async () => {
    stack = await startStack({ REDIS_SENTINELS: sentinel.sentinels, REDIS_SENTINEL_MASTER: sentinel.masterName }, { REDIS_ACK_REPLICAS: '1' });
    const res = await request(stack, 'POST', '/v1/jobs/sentiment?wait=20', { payload: { text: 'fine' } });
    expect(await res.json()).toMatchObject({ state: 'completed' });
    const outcome = await enqueueThrough(stack, async () => {
      await sentinel.killPrimaryAndWaitForFailover();
    });
    console.info('sentinel failover (REDIS_ACK_REPLICAS=1):', JSON.stringify(outcome));
    expect(Object.keys(outcome.statuses).map(Number).every((s) => [202, 429, 503].includes(s)), JSON.stringify(outcome)).toBe(true);
    expect(outcome.acceptedAfter).toBeGreaterThanOrEqual(20);
    expect(outcome.lost).toBe(0);
  });
});
