import { generateApiKey, type ApiKeyRecord } from '@floodgate/shared/api-keys';
import { partitionOfJobId, queueIdentity } from '@floodgate/shared/queues';
import { createLogger } from '@floodgate/shared/logger';
import { createRedis, fairKeys, parseHostPortList, type RedisClient } from '@floodgate/shared/redis';
import { freePort, spawnNodeProcess, waitFor, type RunningProcess } from '@floodgate/testkit';
import { Queue } from 'bullmq';
import { describe, expect } from 'vitest';
import { privateRedisTest } from './private-redis-fixture';
import { clusterStackTest } from './redis-stack';
import { API_ENTRY, apiKey, FAST_RECOVERY_ENV, WORKER_ENTRY } from './stack-entries';

/**
 * Fair shares with real processes: tenants (API keys) at their concurrency
 * caps, a worker SIGKILLed mid-job, and afterwards every job done, no tenant
 * over its cap at any moment, and every running slot given back. Once on one
 * Redis, once on a 3+3 cluster with a partitioned type.
 */

/** About a third of a second of CPU per job: long enough to be killed mid-way. */
const COMPUTE = { n: 1_500, m: 2_000 };

interface Finished {
  id: string;
  tenant: string;
  processedBy: string;
  startedAt: number;
  finishedAt: number;
}

/** Three tenants: three API keys that may enqueue. */
function tenantKeys(): Array<{ key: string; record: ApiKeyRecord; tenant: string }> {
  return Array.from({ length: 3 }, (_, i) => {
    const { key, record } = generateApiKey(`tenant ${i}`, ['jobs:write', 'jobs:read']);
    return { key, record, tenant: `key:${record.id}` };
  });
}

async function enqueue(api: string, key: string, payload: unknown): Promise<string> {
  const res = await fetch(`${api}/v1/jobs/compute`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ payload }),
    signal: AbortSignal.timeout(30_000),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

/** Waits for every job to finish (reading each as the API shows it) and returns when and where each ran. */
async function allFinished(api: string, key: string, ids: Map<string, string>): Promise<Finished[]> {
  return waitFor(
    async () => {
      const views = await Promise.all(
        [...ids].map(async ([id, tenant]) => {
          const res = await fetch(`${api}/v1/jobs/compute/${id}`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(10_000) });
          const view = (await res.json()) as { state: string; startedAt: string | null; finishedAt: string | null; processedBy: string | null };
          return { id, tenant, ...view };
        }),
      );
      const failed = views.filter((view) => view.state === 'failed');
      expect(failed, 'no job fails').toEqual([]);
      if (views.some((view) => view.state !== 'completed')) return undefined;
      return views.map((view) => ({
        id: view.id,
        tenant: view.tenant,
        processedBy: view.processedBy ?? '',
        startedAt: Date.parse(view.startedAt ?? ''),
        finishedAt: Date.parse(view.finishedAt ?? ''),
      }));
    },
    { timeoutMs: 120_000, description: 'every job completed' },
  );
}

/** The most of one tenant's jobs that ran at the same moment (from each job's last attempt). */
function mostAtOnce(jobs: Finished[], tenant: string): number {
  const edges = jobs.filter((job) => job.tenant === tenant).flatMap((job) => [[job.startedAt, 1] as const, [job.finishedAt, -1] as const]);
  // An end before a start at the same millisecond: a slot freed and taken again is not an overlap.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (now += step));
  return most;
}

/** No tenant holds a running slot or a backlog in any partition: nothing leaked. */
async function expectSlotsBack(redis: RedisClient, prefix: string, partitions: number): Promise<void> {
  for (let partition = 0; partition < partitions; partition++) {
    const { name, prefix: keyPrefix } = queueIdentity('compute', prefix, partition);
    const queue = new Queue(name, { connection: redis, prefix: keyPrefix });
    const keys = fairKeys(queue);
    await waitFor(async () => ((await redis.scard(keys.running)) === 0 && (await redis.zcard(keys.backlog)) === 0 ? true : undefined), {
      timeoutMs: 30_000,
      description: `partition ${partition}: every running slot given back`,
    });
    await queue.close();
  }
}

describe('fair shares with worker processes', () => {
  privateRedisTest('survives a SIGKILLed worker with tenants at their caps: every job done, no cap exceeded, every slot back', { timeout: 180_000 }, async ({ redis, connection, prefix, processes, startWorker }) => {
    const tenants = tenantKeys();
    const env = { WORKER_TENANT_CONCURRENCY: 'compute=1', WORKER_CONCURRENCY: 'compute=2' };
    const workers = [await startWorker(env), await startWorker(env)];
    const port = await freePort();
    const api = await spawnNodeProcess(API_ENTRY, {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: prefix,
      API_PORT: String(port),
      API_METRICS_PORT: '0', API_HEALTH_PORT: '0',
      API_KEYS: JSON.stringify(tenants.map((t) => t.record)),
    });
    processes.push(api);
    const url = `http://127.0.0.1:${port}`;
    const ids = new Map<string, string>();
    for (let round = 0; round < 4; round++) for (const { key, tenant } of tenants) ids.set(await enqueue(url, key, COMPUTE), tenant);

    // Kill the process running a job, mid-job; the other one and a new one carry on.
    const queue = new Queue('compute', { connection, prefix });
    const running = await waitFor(async () => (await queue.getActive()).find((job) => job.processedBy), { description: 'a job running' });
    const victim = workers.find((worker) => running.processedBy?.endsWith(`:${worker.pid}`));
    expect(victim).toBeDefined();
    await victim!.kill();
    await startWorker(env);

    const finished = await allFinished(url, tenants[0]!.key, ids);
    for (const { tenant } of tenants) expect(mostAtOnce(finished, tenant), tenant).toBe(1);
    await expectSlotsBack(connection, prefix, 1);
    await queue.close();
  });
});

describe('fair shares on a 3-primary + 3-replica Redis Cluster, with a partitioned type', () => {
  // Its timeout covers forming the cluster too.
  clusterStackTest('serves every tenant on every partition, keeps the caps through a SIGKILLed worker, and gives every slot back', { timeout: 300_000 }, async ({ cluster, startStack }) => {
    const tenants = tenantKeys();
    const env = { QUEUE_PARTITIONS: 'compute=3', WORKER_TENANT_CONCURRENCY: 'compute=3', WORKER_CONCURRENCY: 'compute=3' };
    const stack = await startStack({ REDIS_CLUSTER_NODES: cluster.seeds }, { extra: env, apiKeys: tenants.map((t) => t.record) });
    const second: RunningProcess = await spawnNodeProcess(WORKER_ENTRY, {
      REDIS_CLUSTER_NODES: cluster.seeds,
      QUEUE_PREFIX: stack.prefix,
      ...env,
      ...FAST_RECOVERY_ENV,
    });
    stack.processes.push(second);
    // Until the API has read every primary's memory once, it places new jobs only on partition 0 (a
    // primary not yet heard from counts as down): wait for a job of its own to land elsewhere.
    await waitFor(async () => ((await enqueue(stack.api, apiKey.key, { n: 1, m: 1 })).startsWith('p0-') ? undefined : true), {
      description: 'the API placing jobs on every partition',
    });
    // Each tenant's jobs one after another: the API places plain jobs round-robin over the partitions.
    const ids = new Map<string, string>();
    for (const { key, tenant } of tenants) for (let n = 0; n < 6; n++) ids.set(await enqueue(stack.api, key, COMPUTE), tenant);

    // The worker process that runs the first job to start dies under it.
    const redis = createRedis('worker', { target: { topology: 'cluster', nodes: parseHostPortList(cluster.seeds) }, logger: createLogger({ name: 'e2e', level: 'silent', pretty: false }) });
    try {
      const firstRunning = await waitFor(
        async () => {
          for (const [id] of ids) {
            const res = await fetch(`${stack.api}/v1/jobs/compute/${id}`, { headers: { authorization: `Bearer ${tenants[0]!.key}` } });
            const view = (await res.json()) as { state: string; processedBy: string | null };
            if (view.state === 'active' && view.processedBy) return view.processedBy;
          }
          return undefined;
        },
        { description: 'a job running' },
      );
      const victim = stack.processes.find((p) => firstRunning.endsWith(`:${p.pid}`));
      expect(victim).toBeDefined();
      await victim!.kill();
      if (victim !== second) stack.processes.push(await spawnNodeProcess(WORKER_ENTRY, { REDIS_CLUSTER_NODES: cluster.seeds, QUEUE_PREFIX: stack.prefix, ...env, ...FAST_RECOVERY_ENV }));

      const finished = await allFinished(stack.api, tenants[0]!.key, ids);
      // A cap of 3 split over 3 partitions: at most 3 of a tenant's jobs at once over the type.
      for (const { tenant } of tenants) expect(mostAtOnce(finished, tenant), tenant).toBeLessThanOrEqual(3);
      // Every tenant was served on every partition (its jobs were spread over them, each partition serves them all).
      for (const { tenant } of tenants) {
        const partitions = new Set(finished.filter((job) => job.tenant === tenant).map((job) => partitionOfJobId(job.id)));
        expect([...partitions].sort(), tenant).toEqual([0, 1, 2]);
      }
      await expectSlotsBack(redis, stack.prefix, 3);
    } finally {
      redis.disconnect();
    }
  });
});
