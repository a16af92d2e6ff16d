import { createLogger } from '@floodgate/shared/logger';
import { createRedis, parseHostPortList, type RedisClient } from '@floodgate/shared/redis';
import { waitFor } from '@floodgate/testkit';
import { eachTestClusterConnection, redisClusterTestWith } from '@floodgate/testkit/fixtures';
import { describe, expect } from 'vitest';
import { guardsOn, type StartGuard } from '../testing/memory-guards';

const logger = createLogger({ name: 'memory-guard-cluster-test', level: 'silent', pretty: false });

/**
 * Three primaries and no replicas, one cluster for the file (started by the
 * first test that asks): a stopped primary stays down, its slots unserved.
 * Each test gets a client of its own, and the guard it starts is stopped after it.
 */
const test = redisClusterTestWith({ replicasPerPrimary: 0 }).extend<{ client: RedisClient; startGuard: StartGuard }>({
  client: eachTestClusterConnection((seeds) => createRedis('producer', { target: { topology: 'cluster', nodes: parseHostPortList(seeds) }, logger })),
  startGuard: ({ client }, use) => guardsOn(client, logger, use),
});

describe('redis memory guard on a cluster', () => {
  test('tells which slots a silent primary serves, so a partitioned type places new jobs elsewhere', { timeout: 60_000 }, async ({ cluster, startGuard }) => {
    const guard = startGuard({ high: 0.85, low: 0.75, intervalMs: 100, deadlineMs: 500 });
    const primaries = (await cluster.topology()).filter((node) => node.role === 'primary' && node.slots.length > 0);
    expect(primaries).toHaveLength(3);
    const [victim, survivor] = primaries as [(typeof primaries)[0], (typeof primaries)[0]];
    const victimSlot = victim.slots[0]![0];
    const survivorSlot = survivor.slots[0]![0];
    // A primary the guard has no reading of yet counts as silent: this waits for the first readings.
    await waitFor(() => !guard.silentPrimaryFor(victimSlot) && !guard.silentPrimaryFor(survivorSlot), { description: 'a first memory reading' });
    expect(guard.silentPrimaryFor(victimSlot)).toBe(false);

    await cluster.nodes.find((node) => node.port === victim.port)!.stop();
    await waitFor(() => guard.silentPrimaryFor(victimSlot), { timeoutMs: 15_000, description: 'the stopped primary to go silent' });
    expect(guard.silentPrimaryFor(survivorSlot)).toBe(false);
  });
});
