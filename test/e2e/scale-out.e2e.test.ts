import { jobTypes } from '@floodgate/shared/jobs';
import { partitionOfJobId, queueIdentity } from '@floodgate/shared/queues';
import { keySlot } from '@floodgate/shared/redis';
import { redisCli, waitFor } from '@floodgate/testkit';
import { oncePerFile } from '@floodgate/testkit/fixtures';
import { describe, expect } from 'vitest';
import { serveFixturePage, type FixturePage } from './fixture-page';
import { clusterHealed, clusterStackTest, rejoin, request, sentinelStackTest, type Stack } from './redis-stack';
import { auth } from './stack-entries';

const payloads: Record<string, (pageUrl: string) => unknown> = {
  sentiment: () => ({ text: 'a wonderful day' }),
  compute: () => ({ n: 2, m: 100 }),
  'page-extract': (pageUrl) => ({ url: pageUrl }),
};

/** Each sender's pause between requests: it bounds how many jobs a slow failover piles up (at most ~200/s from 4 senders). */
const SENDER_PAUSE_MS = 20;
/** Longest the enqueueing may last, however slow the failover: generous on a loaded machine. */
const ENQUEUE_BOUND_MS = 150_000;

/**
 * Enqueues sentiment jobs 4 at a time while `fault` runs, then until 20 more
 * are accepted after it, and follows every accepted job to its end. Returns
 * what was answered, what was lost (a 202 whose job never completed), and ids
 * answered twice (an id counter rolled back by a failover hands one out again).
 * Bounded by time, not by a count of requests: a count could run out while a
 * slow machine still waits for the failover, and the test would blame the API.
 */
async function enqueueThrough(stack: Stack, fault: () => Promise<void>) {
  const statuses = new Map<number, number>();
  const accepted: string[] = [];
  let faultDone = false;
  let acceptedAfter = 0;
  let sent = 0;
  const stopAt = Date.now() + ENQUEUE_BOUND_MS;
  const faultStarted = waitFor(() => accepted.length >= 20, { timeoutMs: 60_000, description: '20 jobs accepted before the fault' }).then(fault).then(() => {
    faultDone = true;
  });
  const sender = async () => {
    while (!(faultDone && acceptedAfter >= 20) && Date.now() < stopAt) {
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
      await new Promise((resolve) => setTimeout(resolve, SENDER_PAUSE_MS));
    }
  };
  await Promise.all([sender(), sender(), sender(), sender(), faultStarted]);
  const duplicates = accepted.length - new Set(accepted).size;
  let lost = 0;
  const unique = [...new Set(accepted)];
  // Followed 16 at a time; each is bounded on its own.
  for (let i = 0; i < unique.length; i += 16) {
    const views = await Promise.all(
      unique.slice(i, i + 16).map((id) =>
        waitFor(
          async () => {
            const res = await request(stack, 'GET', `/v1/jobs/sentiment/${id}?wait=20`);
            if (res.status === 404) return { state: 'lost' };
            if (res.status !== 200) return undefined;
            const body = (await res.json()) as { state: string };
            return ['completed', 'failed'].includes(body.state) ? body : undefined;
          },
          { timeoutMs: 90_000, description: `job ${id} to finish` },
        ),
      ),
    );
    lost += views.filter((view) => view.state !== 'completed').length;
  }
  return { statuses: Object.fromEntries(statuses), accepted: accepted.length, acceptedAfter, lost, duplicates };
}

/** A sentiment job sent with an Idempotency-Key. */
const postKeyed = (stack: Stack, key: string, text: string) =>
  fetch(`${stack.api}/v1/jobs/sentiment`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ payload: { text } }),
    signal: AbortSignal.timeout(30_000),
  });

/** The file's Redis Cluster and stacks, and a page for page-extract jobs to fetch, served for the whole file. */
const it = clusterStackTest.extend<{ page: FixturePage }>({
  page: oncePerFile(() => serveFixturePage('<html><head><title>floodgate e2e</title></head><body>hello</body></html>')),
});

describe('floodgate on a 3-primary + 3-replica Redis Cluster', () => {
  it('runs every job type end to end and spreads 6 sentiment partitions over all three primaries', async ({ cluster, startStack, page }) => {
    const stack = await startStack({ REDIS_CLUSTER_NODES: cluster.seeds }, { extra: { QUEUE_PARTITIONS: 'sentiment=6' } });
    const queueName = (type: (typeof jobTypes)[number], partition = 0) => `${stack.prefix}:${queueIdentity(type, stack.prefix, partition).name}`;
    // That each queue and partition has a slot of its own is checked without a stack, in shared's topologies.test.ts.
    for (const type of jobTypes) {
      const res = await request(stack, 'POST', `/v1/jobs/${type}?wait=20`, { payload: payloads[type]!(`${page.origin}/`) });
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
    const keyed = async () => ((await (await postKeyed(stack, 'cluster-order-1', 'once')).json()) as { id: string }).id;
    const first = await keyed();
    expect(await keyed()).toBe(first);
    const workers = (await (await request(stack, 'GET', '/v1/workers')).json()) as { workers: Array<{ pid: number }> };
    expect(workers.workers.map((w) => w.pid)).toEqual([stack.processes[1]!.pid]);
  }, 180_000);

  it.for([
    { ack: '1', assertNoLoss: true },
    { ack: '0', assertNoLoss: false },
  ])('rides out the failover of the primary holding the most sentiment partitions with REDIS_ACK_REPLICAS=$ack: only 202/429/503 meanwhile, workers resume', { timeout: 300_000 }, async ({ ack, assertNoLoss }, { cluster, startStack }) => {
    // A victim with an online replica to take over, whatever ran before.
    await clusterHealed(cluster);
    const stack = await startStack({ REDIS_CLUSTER_NODES: cluster.seeds }, { extra: { REDIS_ACK_REPLICAS: ack, REDIS_ACK_TIMEOUT_MS: '1000', QUEUE_PARTITIONS: 'sentiment=6' } });
    // The victim: the primary holding the most sentiment partitions.
    const holders = new Map<number, { port: number; partitions: number }>();
    for (let partition = 0; partition < 6; partition++) {
      const owner = await cluster.primaryForSlot(keySlot(`${stack.prefix}:${queueIdentity('sentiment', stack.prefix, partition).name}:id`));
      holders.set(owner.port, { port: owner.port, partitions: (holders.get(owner.port)?.partitions ?? 0) + 1 });
    }
    const victim = [...holders.values()].sort((a, b) => b.partitions - a.partitions)[0]!;
    let outcome: Awaited<ReturnType<typeof enqueueThrough>>;
    try {
      outcome = await enqueueThrough(stack, async () => {
        await cluster.killPrimaryAndWaitForFailover(victim.port, 60_000);
        // Until the old primary is back as a replica, the promoted one has no replica to acknowledge writes.
        await rejoin(cluster, victim.port);
      });
    } finally {
      // Back even when the failover or the enqueueing failed: the next test finds every primary replicated.
      await rejoin(cluster, victim.port);
    }
    console.info(`cluster failover (REDIS_ACK_REPLICAS=${ack}):`, JSON.stringify(outcome));
    expect(Object.keys(outcome.statuses).map(Number).every((s) => [202, 429, 503].includes(s)), JSON.stringify(outcome)).toBe(true);
    expect(outcome.acceptedAfter).toBeGreaterThanOrEqual(20);
    // With a replica's acknowledgement before each 202, a failover loses no accepted job.
    if (assertNoLoss) expect(outcome.lost).toBe(0);
  });

  it('keeps an Idempotency-Key bound to its job through the failover of the primary holding both: the retry names the same job, none is made twice', async ({ cluster, startStack }) => {
    const stack = await startStack({ REDIS_CLUSTER_NODES: cluster.seeds }, { worker: false, extra: { REDIS_ACK_REPLICAS: '1', REDIS_ACK_TIMEOUT_MS: '1000' } });
    const keyed = () => postKeyed(stack, 'failover-order-1', 'once, whatever fails');
    // A fresh cluster's replicas may still be syncing: the keyed job waits until every primary's replica is online.
    await clusterHealed(cluster);
    const first = await keyed();
    const firstBody = (await first.json()) as { id: string };
    expect(first.status, JSON.stringify(firstBody)).toBe(202);
    const { id } = firstBody;
    // The record lives beside the job, under the queue's hash tag: one primary holds both, and its replica acknowledged both.
    const queueKey = `${stack.prefix}:${queueIdentity('sentiment', stack.prefix, partitionOfJobId(id) ?? 0).name}`;
    const victim = await cluster.primaryForSlot(keySlot(`${queueKey}:id`));
    try {
      await cluster.killPrimaryAndWaitForFailover(victim.port, 60_000);
      // Until the API's cluster client has the new slot map a retry may be refused (503); once it answers, it names the first job.
      const retried = await waitFor(
        async () => {
          const res = await keyed();
          if (res.status === 503) return void (await res.body?.cancel());
          return { status: res.status, body: (await res.json()) as { id: string } };
        },
        { timeoutMs: 60_000, description: 'a retry answered after the failover' },
      );
      expect(retried).toEqual({ status: 200, body: expect.objectContaining({ id }) });
      const queues = (await (await request(stack, 'GET', '/v1/queues')).json()) as { queues: Array<{ type: string; counts: Record<string, number> }> };
      const counts = queues.queues.find((queue) => queue.type === 'sentiment')!.counts;
      expect(Object.values(counts).reduce((sum, n) => sum + n, 0)).toBe(1);
    } finally {
      // The dead primary back as a replica, even when the failover failed: the next test finds every primary replicated.
      await rejoin(cluster, victim.port);
    }
  }, 240_000);
});

describe('floodgate behind Redis Sentinel (1 primary, 2 replicas, 3 sentinels)', () => {
  sentinelStackTest('runs jobs end to end and rides out a failover with REDIS_ACK_REPLICAS=1: only 202/429/503 meanwhile, workers resume, nothing accepted is lost', async ({ sentinel, startStack }) => {
    const stack = await startStack({ REDIS_SENTINELS: sentinel.sentinels, REDIS_SENTINEL_MASTER: sentinel.masterName }, { extra: { REDIS_ACK_REPLICAS: '1' } });
    const res = await request(stack, 'POST', '/v1/jobs/sentiment?wait=20', { payload: { text: 'fine' } });
    expect(await res.json()).toMatchObject({ state: 'completed' });
    const outcome = await enqueueThrough(stack, async () => {
      await sentinel.killPrimaryAndWaitForFailover(60_000);
    });
    console.info('sentinel failover (REDIS_ACK_REPLICAS=1):', JSON.stringify(outcome));
    expect(Object.keys(outcome.statuses).map(Number).every((s) => [202, 429, 503].includes(s)), JSON.stringify(outcome)).toBe(true);
    expect(outcome.acceptedAfter).toBeGreaterThanOrEqual(20);
    expect(outcome.lost).toBe(0);
  }, 300_000);
});
