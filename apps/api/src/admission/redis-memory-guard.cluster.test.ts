import { createLogger } from '@floodgate/shared/logger';
import { createRedis, parseHostPortList, waitForRedis, type RedisClient } from '@floodgate/shared/redis';
import { startRedisCluster, waitFor, type PrivateRedisCluster } from '@floodgate/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisMemoryGuard, type RedisMemoryGuard } from './redis-memory-guard';

/** Three primaries and no replicas: a stopped primary stays down, its slots unserved. */
describe('redis memory guard on a cluster', () => {
  let cluster: PrivateRedisCluster;
  let client: RedisClient;
  let guard: RedisMemoryGuard | undefined;
  const logger = createLogger({ name: 'memory-guard-cluster-test', level: 'silent', pretty: false });

  beforeAll(async () => {
    cluster = await startRedisCluster({ replicasPerPrimary: 0 });
    client = createRedis('producer', { target: { topology: 'cluster', nodes: parseHostPortList(cluster.seeds) }, logger });
    await waitForRedis(client, 20_000);
  }, 60_000);
  afterAll(async () => {
    guard?.stop();
    client?.disconnect();
    await cluster?.stop();
  });

  it('tells which slots a silent primary serves, so a partitioned type places new jobs elsewhere', { timeout: 60_000 }, async () => {
    guard = startRedisMemoryGuard({ redis: client, high: 0.85, low: 0.75, intervalMs: 100, deadlineMs: 500, logger });
    const primaries = (await cluster.topology()).filter((node) => node.role === 'primary' && node.slots.length > 0);
    expect(primaries).toHaveLength(3);
    const [victim, survivor] = primaries as [(typeof primaries)[0], (typeof primaries)[0]];
    const victimSlot = victim.slots[0]![0];
    const survivorSlot = survivor.slots[0]![0];
    // A primary the guard has no reading of yet counts as silent: this waits for the first readings.
    await waitFor(() => !guard!.silentPrimaryFor(victimSlot) && !guard!.silentPrimaryFor(survivorSlot), { description: 'a first memory reading' });
    expect(guard.silentPrimaryFor(victimSlot)).toBe(false);

    await cluster.nodes.find((node) => node.port === victim.port)!.stop();
    await waitFor(() => guard!.silentPrimaryFor(victimSlot), { timeoutMs: 15_000, description: 'the stopped primary to go silent' });
    expect(guard.silentPrimaryFor(survivorSlot)).toBe(false);
  });
});
