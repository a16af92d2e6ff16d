import { jobTypes, type JobType } from '@floodgate/shared/jobs';
import { partitionOfJobId, partitionOfKey, queueIdentity } from '@floodgate/shared/queues';
import { keySlot } from '@floodgate/shared/redis';
import { redisCli, waitFor } from '@floodgate/testkit';
import { describe, expect } from 'vitest';
import { clusterStackTest as it, dashboardAdmin, rejoin, request, type Stack } from './redis-stack';
import { apiKey } from './stack-entries';

/**
 * What a job sees on a 3-primary + 3-replica Redis Cluster besides enqueue and
 * failover (scale-out.e2e.test.ts): cancelling an active job, its SSE stream,
 * `?wait=`, the dashboard's overview, and a memory flood on one primary.
 * Real API, worker and dashboard processes; the cluster is private, on loopback.
 */

interface JobView {
  id: string;
  state: string;
  error: string | null;
}

/** Server-Sent Events of one stream, read until the server ends it (bounded by the request's timeout). */
async function readEvents(res: Response): Promise<Array<{ event: string; data: unknown }>> {
  const text = await res.text();
  // Each event is a block of `field: value` lines (id, event, data, in any order); comments start with ':'.
  return text
    .split('\n\n')
    .map((block) => Object.fromEntries(block.split('\n').filter((line) => /^[a-z]+: /.test(line)).map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)])))
    .filter((fields): fields is Record<string, string> => typeof fields.event === 'string')
    .map((fields) => ({ event: fields.event!, data: JSON.parse(fields.data ?? 'null') as unknown }));
}

const queueSlot = (stack: Stack, type: JobType, partition = 0) => keySlot(`${stack.prefix}:${queueIdentity(type, stack.prefix, partition).name}:id`);

/** Sets `maxmemory` on one node to what it holds now plus `extraBytes`. */
async function limitMemory(port: number, extraBytes: number): Promise<void> {
  const used = Number(/used_memory:(\d+)/.exec(await redisCli(port, 'info', 'memory'))?.[1]);
  await redisCli(port, 'config', 'set', 'maxmemory', String(used + extraBytes));
}

/** Every id answered as stored is there: read back through the API (each 200), and counted in the type's queues. */
async function expectAllStored(stack: Stack, accepted: string[]): Promise<void> {
  expect(new Set(accepted).size).toBe(accepted.length);
  for (let i = 0; i < accepted.length; i += 50) {
    const statuses = await Promise.all(accepted.slice(i, i + 50).map(async (id) => (await request(stack, 'GET', `/v1/jobs/sentiment/${id}`)).status));
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  }
  const queues = (await (await request(stack, 'GET', '/v1/queues')).json()) as { queues: Array<{ type: string; counts: Record<string, number> }> };
  expect(queues.queues.find((q) => q.type === 'sentiment')?.counts.waiting).toBe(accepted.length);
}

describe('floodgate on a 3-primary + 3-replica Redis Cluster: cancel, SSE, ?wait=, overview, memory', () => {
  it('cancels an active job, streams a job\'s events to the end, answers ?wait=, and the overview reads counts and history from the cluster', async ({ cluster, startStack }) => {
    const stack = await startStack(
      { REDIS_CLUSTER_NODES: cluster.seeds },
      // Partitioned, so cancel, SSE and ?wait= find jobs by the partition their id names, on whichever primary holds it.
      { dashboard: true, extra: { OVERVIEW_FLUSH_MS: '500', WORKER_CPU_THREADS: '2', QUEUE_PARTITIONS: 'sentiment=6,compute=3' } },
    );

    // ?wait= holds the answer until the job is done.
    const waited = await request(stack, 'POST', '/v1/jobs/sentiment?wait=20', { payload: { text: 'a wonderful day' } });
    expect(((await waited.json()) as JobView).state).toBe('completed');

    // SSE: a job long enough to be followed from before it ends, streamed until the server closes it.
    const posted = (await (await request(stack, 'POST', '/v1/jobs/compute', { payload: { n: 200, m: 2_000 } })).json()) as JobView;
    const stream = await request(stack, 'GET', `/v1/jobs/compute/${posted.id}/events`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readEvents(stream);
    expect(events[0]?.event).toBe('state');
    expect(events.at(-1)?.event).toBe('completed');

    // DELETE of an active job: the cancel goes out on pub/sub (broadcast to every node), and the
    // worker process, subscribed on whichever node it picked, aborts the job.
    const long = (await (await request(stack, 'POST', '/v1/jobs/compute', { payload: { n: 8_000, m: 2_000 } })).json()) as JobView;
    await waitFor(async () => ((await (await request(stack, 'GET', `/v1/jobs/compute/${long.id}`)).json()) as JobView).state === 'active', {
      timeoutMs: 30_000,
      description: 'the long compute job to be active',
    });
    const cancel = await request(stack, 'DELETE', `/v1/jobs/compute/${long.id}`);
    const cancelBody = (await cancel.json()) as { state: string; receivers: number };
    expect(cancel.status, JSON.stringify(cancelBody)).toBe(202);
    expect(cancelBody).toMatchObject({ state: 'cancelling' });
    expect(cancelBody.receivers).toBeGreaterThanOrEqual(1);
    const cancelled = (await (await request(stack, 'GET', `/v1/jobs/compute/${long.id}?wait=30`)).json()) as JobView;
    expect(cancelled.state).toBe('failed');
    expect(cancelled.error).toMatch(/^cancelled: /);

    // The overview, as the dashboard's page reads it: queue counts, the completed history, every primary's memory.
    const login = await fetch(`${stack.dashboard}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: stack.dashboard! },
      body: new URLSearchParams(dashboardAdmin).toString(),
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    const cookie = login.headers.getSetCookie().find((line) => /floodgate_session=/.test(line))!.split(';')[0]!;
    const primaries = (await cluster.topology()).filter((n) => n.role === 'primary' && !n.failed).map((n) => `127.0.0.1:${n.port}`);
    const overview = await waitFor(
      async () => {
        const res = await fetch(`${stack.dashboard}/admin/overview/api/data?window=15m`, { headers: { cookie }, signal: AbortSignal.timeout(10_000) });
        if (res.status !== 200) return undefined;
        const data = (await res.json()) as {
          types: Array<{ type: string; counts: Record<string, number>; completedPerSec: number[] }>;
          memory: Array<{ node: string }>;
          workers: Array<{ alive: boolean }>;
        };
        const sentiment = data.types.find((t) => t.type === 'sentiment');
        const compute = data.types.find((t) => t.type === 'compute');
        const done =
          sentiment?.completedPerSec.some((rate) => rate > 0) && compute?.completedPerSec.some((rate) => rate > 0) && data.memory.length >= primaries.length;
        return done ? data : undefined;
      },
      { timeoutMs: 30_000, description: 'the overview to show the completed history and every primary' },
    );
    // Counts straight from each queue (on its own primary): the cancelled job is compute's one failure.
    const byType = Object.fromEntries(overview.types.map((t) => [t.type, t.counts]));
    expect(byType.sentiment).toMatchObject({ waiting: 0, active: 0, failed: 0 });
    expect(byType.compute).toMatchObject({ waiting: 0, active: 0, failed: 1 });
    expect(overview.memory.map((m) => m.node).sort()).toEqual(expect.arrayContaining(primaries.sort()));
    expect(overview.workers.filter((w) => w.alive)).toHaveLength(1);
  }, 180_000);

  it('sheds a flooded type with 503 redis_memory_high naming its primary, keeps accepting a type on another primary, and loses nothing it accepted', async ({ cluster, startStack }) => {
    // No worker: what was accepted stays in the queue to be counted.
    // Shedding at half the limit leaves the other half as room for what arrives between two samples on a
    // loaded machine, so Redis itself never answers OOM (whose 503 could not name the primary).
    const stack = await startStack(
      { REDIS_CLUSTER_NODES: cluster.seeds },
      { worker: false, extra: { API_RATE_LIMIT: 'sentiment=100000', API_REDIS_MEMORY_HIGH: '0.5', API_REDIS_MEMORY_LOW: '0.4' } },
    );
    const flooded = await cluster.primaryForSlot(queueSlot(stack, 'sentiment'));
    const other = await Promise.all(jobTypes.map(async (type) => ({ type, owner: await cluster.primaryForSlot(queueSlot(stack, type)) })));
    const elsewhere = other.find((o) => o.owner.port !== flooded.port);
    expect(elsewhere, 'a job type whose queue lives on another primary').toBeDefined();

    // A small limit on that one primary only: what it holds now plus 12 MB.
    await limitMemory(flooded.port, 12 * 1_048_576);
    try {
      const accepted: string[] = [];
      const refusals: Array<{ code: string; details?: { primary?: string } }> = [];
      const text = 'a fine day '.repeat(800);
      // Bounded: 4 senders, at most 400 bulk requests of 20 jobs (~9 KB each) in all, until the first refusal.
      let sent = 0;
      const sender = async () => {
        while (refusals.length === 0 && sent < 400) {
          sent++;
          const res = await request(stack, 'POST', '/v1/jobs/sentiment/bulk', { jobs: Array.from({ length: 20 }, () => ({ payload: { text } })) });
          const body = (await res.json()) as { jobs?: Array<{ id?: string; error?: unknown }>; error?: { code: string; details?: { primary?: string } } };
          for (const job of body.jobs ?? []) if (job.id && !job.error) accepted.push(job.id);
          if (res.status === 503 && body.error) refusals.push(body.error);
          else expect([202, 207], JSON.stringify(body)).toContain(res.status);
        }
      };
      await Promise.all([sender(), sender(), sender(), sender()]);
      expect(refusals.length, `no refusal after ${sent} bulk requests`).toBeGreaterThan(0);
      expect(refusals[0]).toMatchObject({ code: 'redis_memory_high', details: { primary: `127.0.0.1:${flooded.port}` } });

      // Meanwhile the flooded type stays refused, and a type living on another primary is accepted.
      const again = await request(stack, 'POST', '/v1/jobs/sentiment', { payload: { text: 'still refused' } });
      expect(again.status).toBe(503);
      const payload = elsewhere!.type === 'compute' ? { n: 1, m: 1 } : { url: 'https://example.com/' };
      const fine = await request(stack, 'POST', `/v1/jobs/${elsewhere!.type}`, { payload });
      expect(fine.status, await fine.clone().text()).toBe(202);

      await expectAllStored(stack, accepted);
      console.info(`memory flood on primary ${flooded.port}: ${accepted.length} jobs accepted in ${sent} bulk requests, then ${refusals.length} refusal(s)`);
    } finally {
      await redisCli(flooded.port, 'config', 'set', 'maxmemory', '0');
    }
  }, 180_000);

  it('with sentiment in 6 partitions, stops placing jobs on a nearly full primary and keeps answering 202 from the others; a keyed job bound to it gets 503 naming it', async ({ cluster, startStack }) => {
    const stack = await startStack(
      { REDIS_CLUSTER_NODES: cluster.seeds },
      { worker: false, extra: { API_RATE_LIMIT: 'sentiment=100000', API_REDIS_MEMORY_HIGH: '0.5', API_REDIS_MEMORY_LOW: '0.4', QUEUE_PARTITIONS: 'sentiment=6' } },
    );
    const owners = await Promise.all([0, 1, 2, 3, 4, 5].map(async (p) => (await cluster.primaryForSlot(queueSlot(stack, 'sentiment', p))).port));
    expect(new Set(owners).size, 'the 6 partitions spread over the 3 primaries').toBe(3);
    const flooded = owners[0]!;
    const onFlooded = (partition: number) => owners[partition] === flooded;
    // Caller ids that hash to a partition on the flooded primary: a job under one must go there or nowhere.
    const boundIds = Array.from({ length: 400 }, (_, i) => `bound-${stack.prefix}-${i}`).filter((id) => onFlooded(partitionOfKey(id, 6)));
    await limitMemory(flooded, 12 * 1_048_576);
    try {
      const accepted: string[] = [];
      const text = 'a fine day '.repeat(800);
      const bulk = async () => {
        const res = await request(stack, 'POST', '/v1/jobs/sentiment/bulk', { jobs: Array.from({ length: 20 }, () => ({ payload: { text } })) });
        const body = (await res.json()) as { jobs: Array<{ id: string }> };
        expect(res.status, JSON.stringify(body)).toBe(202);
        const ids = body.jobs.map((job) => job.id);
        accepted.push(...ids);
        return ids;
      };
      // Flood with plain jobs (spread round-robin, a third of them onto the small primary) until a job
      // bound to that primary is refused. Bounded: at most 300 rounds of 4 bulk requests.
      let refusal: { code: string; details?: { primary?: string } } | undefined;
      for (let round = 0; round < 300 && !refusal && round < boundIds.length; round++) {
        await Promise.all([bulk(), bulk(), bulk(), bulk()]);
        const probe = await request(stack, 'POST', '/v1/jobs/sentiment', { payload: { text: 'bound' }, jobId: boundIds[round] });
        const body = (await probe.json()) as { id?: string; error?: { code: string; details?: { primary?: string } } };
        if (probe.status === 202) accepted.push(body.id!);
        else if (probe.status === 503) refusal = body.error;
        else throw new Error(`the bound job answered ${probe.status}: ${JSON.stringify(body)}`);
      }
      expect(refusal).toMatchObject({ code: 'redis_memory_high', details: { primary: `127.0.0.1:${flooded}` } });

      // Plain jobs still go in, every one on a partition whose primary has room.
      const after = (await Promise.all([bulk(), bulk(), bulk(), bulk()])).flat();
      expect(after.filter((id) => onFlooded(partitionOfJobId(id)!))).toEqual([]);
      expect(new Set(after.map((id) => partitionOfJobId(id))).size).toBe(owners.filter((owner) => owner !== flooded).length);
      await expectAllStored(stack, accepted);
      console.info(`partitioned memory flood on primary ${flooded}: ${accepted.length} jobs accepted, then the bound job refused`);
    } finally {
      await redisCli(flooded, 'config', 'set', 'maxmemory', '0');
    }
  }, 180_000);

  it('with sentiment in 6 partitions, keeps answering 202 for plain jobs while one primary and its replica are down', { timeout: 240_000 }, async ({ cluster, startStack }) => {
    const stack = await startStack({ REDIS_CLUSTER_NODES: cluster.seeds }, { worker: false, extra: { QUEUE_PARTITIONS: 'sentiment=6' } });
    const owners = await Promise.all([0, 1, 2, 3, 4, 5].map(async (p) => (await cluster.primaryForSlot(queueSlot(stack, 'sentiment', p))).port));
    // The victim holds sentiment partitions but not this client's rate bucket (one key, on one primary:
    // while that primary is down, this client's jobs of the type are refused, as docs/redis-topologies.md says).
    const bucketOwner = (await cluster.primaryForSlot(keySlot(`${stack.prefix}:rate:sentiment:key:${apiKey.record.id}`))).port;
    const victimPort = owners.find((port) => port !== bucketOwner)!;
    const topology = await cluster.topology();
    const victim = topology.find((node) => node.port === victimPort)!;
    const replica = topology.find((node) => node.role === 'replica' && node.primaryId === victim.id)!;
    const nodeAt = (port: number) => cluster.nodes.find((node) => node.port === port)!;
    try {
      // The replica first, so nothing takes the dead primary's place: its slots stay unserved.
      await nodeAt(replica.port).stop();
      await nodeAt(victimPort).stop();
      const post = async () => {
        const res = await request(stack, 'POST', '/v1/jobs/sentiment', { payload: { text: 'still open' } });
        const body = (await res.json()) as { id?: string };
        return { status: res.status, id: body.id };
      };
      // Until the API has noticed (its memory sampler finds the primary silent), some answers are 503; then none.
      let streak = 0;
      let sent = 0;
      const began = Date.now();
      const seen: Record<number, number> = {};
      for (; streak < 10 && sent < 400; sent++) {
        const { status } = await post();
        seen[status] = (seen[status] ?? 0) + 1;
        streak = status === 202 ? streak + 1 : 0;
      }
      console.info(`one primary and its replica down: ${sent} requests (${JSON.stringify(seen)}) in ${Date.now() - began} ms until 10 answered 202 in a row`);
      expect(streak).toBe(10);
      const next = await Promise.all(Array.from({ length: 20 }, post));
      expect(next.map((answer) => answer.status)).toEqual(Array(20).fill(202));
      expect(next.filter((answer) => owners[partitionOfJobId(answer.id!)!] === victimPort)).toEqual([]);
    } finally {
      // Both back (the primary first), serving their slots: the next test finds the whole cluster.
      await rejoin(cluster, victimPort, replica.port);
    }
  });
});
