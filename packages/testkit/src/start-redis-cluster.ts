import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeClusterPort, launchRedisNode, redisCli, type RedisNodeProcess } from './redis-node';
import { redisServerArgs } from './redis-server-args';
import { waitFor } from './wait-for';

export interface StartRedisClusterOptions {
  /** Primaries; each gets `replicasPerPrimary` replicas. @defaultValue 3 */
  primaries?: number;
  /** @defaultValue 1 */
  replicasPerPrimary?: number;
  /** `maxmemory` of every node, e.g. `'64mb'`. @defaultValue no limit */
  maxmemory?: string;
  /** `cluster-node-timeout`: how long a silent node takes to be declared failed. @defaultValue 2000 */
  nodeTimeoutMs?: number;
}

/** A node as the cluster itself sees it (`CLUSTER NODES`). */
export interface ClusterNodeInfo {
  port: number;
  id: string;
  role: 'primary' | 'replica';
  /** For a replica: the id of its primary. */
  primaryId: string | undefined;
  /** Slot ranges a primary serves, `[first, last]` inclusive. */
  slots: Array<[number, number]>;
  failed: boolean;
}

export interface PrivateRedisCluster {
  /** `127.0.0.1:p1,127.0.0.1:p2,...`: every node, the value of REDIS_CLUSTER_NODES. */
  seeds: string;
  nodes: RedisNodeProcess[];
  /** The cluster's own view, read from a live node. */
  topology(): Promise<ClusterNodeInfo[]>;
  /** The primary serving `slot` now. */
  primaryForSlot(slot: number): Promise<ClusterNodeInfo>;
  /**
   * SIGKILLs the node on `port` and waits until a replica took over its slots
   * and every live node reports `cluster_state:ok`.
   */
  killPrimaryAndWaitForFailover(port: number, timeoutMs?: number): Promise<ClusterNodeInfo>;
  /** Stops every node and deletes the data directory. */
  stop(): Promise<void>;
}

/**
 * Starts a private Redis Cluster on loopback (3 primaries + 3 replicas by
 * default) with Debian's redis-server, formed by `redis-cli --cluster create`,
 * and resolves once every node says `cluster_state:ok`. Each node is its own
 * process, stopped by its own pid; data lives in one temp directory.
 */
export async function startRedisCluster(options: StartRedisClusterOptions = {}): Promise<PrivateRedisCluster> {
  const primaries = options.primaries ?? 3;
  const replicas = options.replicasPerPrimary ?? 1;
  const root = await mkdtemp(join(tmpdir(), 'floodgate-cluster-'));
  const taken = new Set<number>();
  const nodes: RedisNodeProcess[] = [];
  try {
    for (let i = 0; i < primaries * (1 + replicas); i++) {
      const port = await freeClusterPort(taken);
      const dir = join(root, String(port));
      await mkdir(dir);
      const args = [
        ...redisServerArgs(port, dir, { appendonly: true, maxmemory: options.maxmemory }),
        '--cluster-enabled', 'yes',
        '--cluster-config-file', 'nodes.conf',
        '--cluster-node-timeout', String(options.nodeTimeoutMs ?? 2_000),
        // The other primaries keep serving their slots while one is being replaced.
        '--cluster-require-full-coverage', 'no',
      ];
      nodes.push(await launchRedisNode('redis-server', args, port, dir));
    }
    await redisCli(
      nodes[0]!.port,
      '--cluster', 'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas', String(replicas),
      '--cluster-yes',
    );
    await waitUntilHealthy(nodes, primaries, primaries * replicas, 30_000);
  } catch (err) {
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await rm(root, { recursive: true, force: true });
    throw err;
  }

  const topology = async () => {
    const live = nodes.find((n) => n.running);
    if (!live) throw new Error('no cluster node is running');
    return parseClusterNodes(await redisCli(live.port, 'cluster', 'nodes'));
  };
  return {
    seeds: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    nodes,
    topology,
    async primaryForSlot(slot) {
      const found = (await topology()).find((n) => n.role === 'primary' && !n.failed && n.slots.some(([a, b]) => slot >= a && slot <= b));
      if (!found) throw new Error(`no primary serves slot ${slot}`);
      return found;
    },
    async killPrimaryAndWaitForFailover(port, timeoutMs = 30_000) {
      const victim = nodes.find((n) => n.port === port);
      if (!victim) throw new Error(`no node on port ${port}`);
      const before = (await topology()).find((n) => n.port === port);
      if (before?.role !== 'primary') throw new Error(`node ${port} is not a primary`);
      await victim.kill();
      return waitFor(
        async () => {
          const view = await topology();
          const heir = view.find((n) => n.role === 'primary' && !n.failed && n.port !== port && n.slots.some(([a]) => a === before.slots[0]?.[0]));
          if (!heir) return undefined;
          const states = await Promise.all(nodes.filter((n) => n.running).map((n) => redisCli(n.port, 'cluster', 'info')));
          return states.every((s) => s.includes('cluster_state:ok')) ? heir : undefined;
        },
        { timeoutMs, intervalMs: 200, description: `a replica to take over from primary ${port}` },
      );
    },
    async stop() {
      await Promise.allSettled(nodes.map((n) => n.stop()));
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function waitUntilHealthy(nodes: RedisNodeProcess[], primaries: number, replicas: number, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      for (const node of nodes) {
        if (!(await redisCli(node.port, 'cluster', 'info')).includes('cluster_state:ok')) return false;
      }
      const view = parseClusterNodes(await redisCli(nodes[0]!.port, 'cluster', 'nodes'));
      // Replicas attach a moment after the slots are assigned; until then they show as primaries without slots.
      const attached = view.filter((n) => n.role === 'replica' && n.primaryId !== undefined);
      return view.length === primaries + replicas && attached.length === replicas;
    },
    { timeoutMs, intervalMs: 200, description: 'the cluster to be formed (cluster_state:ok on every node)' },
  );
}

/** Parses `CLUSTER NODES` output. */
export function parseClusterNodes(text: string): ClusterNodeInfo[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id = '', address = '', flags = '', primaryId = '-', , , , , ...slotFields] = line.trim().split(' ');
      const port = Number(/:(\d+)@/.exec(address)?.[1] ?? 0);
      const flagList = flags.split(',');
      const slots = slotFields
        .filter((s) => !s.startsWith('['))
        .map((s) => {
          const [a, b] = s.split('-').map(Number);
          return [a ?? 0, b ?? a ?? 0] as [number, number];
        });
      return {
        port,
        id,
        role: flagList.includes('master') ? 'primary' : 'replica',
        primaryId: primaryId === '-' ? undefined : primaryId,
        slots,
        failed: flagList.includes('fail') || flagList.includes('fail?'),
      } satisfies ClusterNodeInfo;
    });
}
