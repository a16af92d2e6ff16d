import { redisCli, startRedis } from '@floodgate/testkit';
import { eachTestClusterConnection, redisClusterTest, redisSentinelTest } from '@floodgate/testkit/fixtures';
import { Cluster } from 'ioredis';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { partitionTag, queueIdentity } from '../queues/queue-identity';
import { listHeartbeats, writeHeartbeat } from '../workers/heartbeat';
import { sampleHeartbeat } from '../test-support/heartbeats.test';
import { parseHostPortList } from './redis-target';
import { checkEvictionPolicy } from './check-eviction-policy';
import { connectAtStartup } from './connect-at-startup';
import { createRedis, type RedisClient } from './create-redis';
import { floodgateKey } from './keys';
import { keySlot } from './key-slot';
import { primaryConnections } from './primaries';
import { waitForRedis } from './wait-for-redis';

const logger = pino({ level: 'silent' });

/** The file's Redis Cluster (3 primaries, 3 replicas), and each test's own worker connection to it through the one factory. */
const clusterTest = redisClusterTest.extend<{ client: RedisClient }>({
  client: eachTestClusterConnection((seeds) => createRedis('worker', { target: { topology: 'cluster', nodes: parseHostPortList(seeds) }, logger })),
});

/**
 * The first test that asks for the cluster forms it: seconds, many on a busy machine.
 * Given to each test: one made by `test.extend` does not take its describe's timeout (vitest 3.2).
 */
const formsCluster = { timeout: 60_000 };

describe('a 3-primary + 3-replica Redis Cluster', () => {
  clusterTest('is reached through the one factory, and every primary is checked for noeviction', formsCluster, async ({ cluster, client }) => {
    expect(client).toBeInstanceOf(Cluster);
    expect(primaryConnections(client)).toHaveLength(3);
    await expect(checkEvictionPolicy(client)).resolves.toBeUndefined();
    // One that serves slots: right after the cluster forms, a node that is about to become a replica still shows as a primary without any.
    const victim = (await cluster.topology()).find((n) => n.role === 'primary' && n.slots.length > 0)!;
    await redisCli(victim.port, 'config', 'set', 'maxmemory-policy', 'allkeys-lru');
    try {
      await expect(checkEvictionPolicy(client)).rejects.toThrow(new RegExp(`"allkeys-lru" on 127\\.0\\.0\\.1:${victim.port}`));
    } finally {
      await redisCli(victim.port, 'config', 'set', 'maxmemory-policy', 'noeviction');
    }
  });

  clusterTest('computes the same slot as CLUSTER KEYSLOT', formsCluster, async ({ cluster }) => {
    for (const key of ['floodgate:{sentiment}:wait', '{a}b', 'plain-key', '{}x', 'x{y}z{w}', 'page-extract.p4.99']) {
      expect(keySlot(key)).toBe(Number(await redisCli(cluster.nodes[0]!.port, 'cluster', 'keyslot', key)));
    }
  });

  clusterTest('gives every type and partition a slot of its own, and 6 partitions reach all three primaries', formsCluster, async ({ cluster }) => {
    const names = ['sentiment', 'page-extract', 'compute'].flatMap((type) => [0, 1, 2, 3, 4, 5].map((p) => queueIdentity(type, 'floodgate', p).name));
    expect(new Set(names.map((name) => keySlot(name))).size).toBe(names.length);
    const owners = new Set<number>();
    for (let p = 0; p < 6; p++) owners.add((await cluster.primaryForSlot(keySlot(`{${partitionTag('sentiment', p)}}`))).port);
    expect(owners.size).toBe(3);
    // Partition tags depend on (type, partition) only: a count change never renames one.
    expect(partitionTag('sentiment', 0)).toBe('sentiment');
    expect(queueIdentity('sentiment', '{legacy}')).toEqual({ name: 'sentiment', prefix: '{legacy}' });
  });

  clusterTest('lists heartbeats held under one tag with a SCAN on every primary', formsCluster, async ({ client }) => {
    await writeHeartbeat(client, 'fgtest', sampleHeartbeat('a:1'), 60_000);
    await writeHeartbeat(client, 'fgtest', sampleHeartbeat('b:2'), 60_000);
    expect(floodgateKey('fgtest', 'workers', 'workers:a:1')).toBe('fgtest:{_workers}:workers:a:1');
    expect((await listHeartbeats(client, 'fgtest')).map((b) => b.id)).toEqual(['a:1', 'b:2']);
  });

  clusterTest('refuses a cluster node given as a single Redis, with the variable to use instead', formsCluster, async ({ cluster }) => {
    const previous = process.exitCode;
    const lines: string[] = [];
    const capture = pino({ level: 'fatal' }, { write: (line: string) => lines.push(line) });
    try {
      expect(await connectAtStartup('producer', { url: `redis://127.0.0.1:${cluster.nodes[0]!.port}`, logger: capture })).toBeUndefined();
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = previous;
    }
    expect(lines.join('')).toMatch(/cluster_enabled:1.*REDIS_CLUSTER_NODES/);
  });
});

describe('bad cluster settings fail at start with the reason', () => {
  it('names missing cluster support when the seed is a plain Redis', async () => {
    const plain = await startRedis();
    const client = createRedis('producer', { target: { topology: 'cluster', nodes: [{ host: '127.0.0.1', port: plain.port }] }, logger });
    try {
      await expect(waitForRedis(client, 3_000)).rejects.toThrow(/did not answer within 3000 ms \(last error: .*cluster support disabled/i);
    } finally {
      client.disconnect();
      await plain.stop();
    }
  });

  it('names a seed host that does not resolve, for a cluster and for one node', async () => {
    // .invalid never resolves (RFC 2606).
    const cluster = createRedis('producer', { target: { topology: 'cluster', nodes: [{ host: 'no-such-host.invalid', port: 7000 }] }, logger });
    await expect(waitForRedis(cluster, 2_000)).rejects.toThrow(/did not answer within 2000 ms \(last error: seed host no-such-host\.invalid does not resolve: /);
    cluster.disconnect();
    const single = createRedis('producer', { url: 'redis://no-such-host.invalid:6390', logger });
    await expect(waitForRedis(single, 2_000)).rejects.toThrow(/did not answer within 2000 ms \(last error: .*no-such-host\.invalid/);
    single.disconnect();
  });

  it('says when no seed answers', async () => {
    const client = createRedis('producer', { target: { topology: 'cluster', nodes: [{ host: '127.0.0.1', port: 1 }] }, logger });
    await expect(waitForRedis(client, 2_000)).rejects.toThrow(/did not answer within 2000 ms \(last error: /);
    client.disconnect();
  });
});

describe('a primary, two replicas and three sentinels', () => {

  redisSentinelTest('connects through the sentinels and follows a failover', async ({ sentinel }) => {
    const target = { topology: 'sentinel' as const, sentinels: parseHostPortList(sentinel.sentinels), masterName: sentinel.masterName };
    const worker = await connectAtStartup('worker', { target, logger });
    expect(worker).toBeDefined();
    // The name memory readings go under (the guard's 503 details, the overview's charts): the master name, which survives a failover.
    expect(primaryConnections(worker!).map((p) => p.name)).toEqual([`sentinel:${sentinel.masterName}`]);
    await worker!.set('before', '1');
    const newPrimary = await sentinel.killPrimaryAndWaitForFailover();
    // The worker connection parks commands and resumes on the promoted replica.
    await expect(worker!.set('after', '1')).resolves.toBe('OK');
    expect(await redisCli(newPrimary, 'get', 'after')).toBe('1\n');
    worker!.disconnect();
  }, 60_000);
});
