import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { launchRedisNode, redisCli, type RedisNodeProcess } from './redis-node';
import { redisServerArgs } from './redis-server-args';
import { waitFor } from './wait-for';

export interface StartRedisSentinelOptions {
  /** @defaultValue 2 */
  replicas?: number;
  /** @defaultValue 3 (quorum 2) */
  sentinels?: number;
  /** The monitored master's name (REDIS_SENTINEL_MASTER). @defaultValue `floodgate` */
  masterName?: string;
  /** `maxmemory` of every data node. @defaultValue no limit */
  maxmemory?: string;
}

export interface PrivateRedisSentinel {
  /** `127.0.0.1:s1,...`: the value of REDIS_SENTINELS. */
  sentinels: string;
  masterName: string;
  /** The primary first, then the replicas (as started; roles change on failover). */
  dataNodes: RedisNodeProcess[];
  sentinelNodes: RedisNodeProcess[];
  /** The port the sentinels name as the master now. */
  primaryPort(): Promise<number>;
  /** SIGKILLs the current primary and waits until the sentinels promoted a replica that says it is a master. */
  killPrimaryAndWaitForFailover(timeoutMs?: number): Promise<number>;
  /** Stops every process and deletes the data directory. */
  stop(): Promise<void>;
}

/**
 * Starts a private Sentinel topology on loopback: one primary, its replicas
 * and the sentinels watching it (quorum: a majority), each its own process
 * stopped by its own pid, data in one temp directory. Fast failure detection
 * (1 s) so failover tests stay short.
 */
export async function startRedisSentinel(options: StartRedisSentinelOptions = {}): Promise<PrivateRedisSentinel> {
  const masterName = options.masterName ?? 'floodgate';
  const sentinelCount = options.sentinels ?? 3;
  const root = await mkdtemp(join(tmpdir(), 'floodgate-sentinel-'));
  const dataNodes: RedisNodeProcess[] = [];
  const sentinelNodes: RedisNodeProcess[] = [];
  const stopAll = async () => {
    await Promise.allSettled([...sentinelNodes, ...dataNodes].map((n) => n.stop()));
    await rm(root, { recursive: true, force: true });
  };
  try {
    let primaryPort = 0;
    for (let i = 0; i <= (options.replicas ?? 2); i++) {
      const port = await freePort();
      const dir = join(root, `redis-${port}`);
      await mkdir(dir);
      const args = redisServerArgs(port, dir, { appendonly: true, maxmemory: options.maxmemory });
      if (i === 0) primaryPort = port;
      else args.push('--replicaof', '127.0.0.1', String(primaryPort));
      dataNodes.push(await launchRedisNode('redis-server', args, port, dir));
    }
    // Connected is not enough: a replica still loading its first sync acknowledges no write (WAIT counts 0).
    await waitFor(async () => (await redisCli(primaryPort, 'info', 'replication')).match(/^slave\d+:.*state=online/gm)?.length === dataNodes.length - 1, {
      timeoutMs: 20_000,
      description: 'replicas to attach to the primary and finish their first sync',
    });
    for (let i = 0; i < sentinelCount; i++) {
      const port = await freePort();
      const dir = join(root, `sentinel-${port}`);
      await mkdir(dir);
      const config = join(dir, 'sentinel.conf');
      await writeFile(
        config,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `logfile ${join(dir, 'sentinel.log')}`,
          `sentinel monitor ${masterName} 127.0.0.1 ${primaryPort} ${Math.floor(sentinelCount / 2) + 1}`,
          `sentinel down-after-milliseconds ${masterName} 1000`,
          `sentinel failover-timeout ${masterName} 10000`,
          `sentinel parallel-syncs ${masterName} 1`,
          '',
        ].join('\n'),
      );
      sentinelNodes.push(await launchRedisNode('redis-sentinel', [config], port, dir));
    }
    // Each sentinel must know the others before a quorum can be reached.
    await waitFor(
      async () => {
        for (const s of sentinelNodes) {
          const info = await redisCli(s.port, 'info', 'sentinel');
          if (!info.includes(`sentinels=${sentinelCount}`) || !info.includes(`slaves=${dataNodes.length - 1}`)) return false;
        }
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: 'sentinels to discover each other and the replicas' },
    );
  } catch (err) {
    await stopAll();
    throw err;
  }

  const primaryPort = async () => {
    const live = sentinelNodes.find((s) => s.running);
    if (!live) throw new Error('no sentinel is running');
    const out = await redisCli(live.port, 'sentinel', 'get-master-addr-by-name', masterName);
    return Number(out.trim().split('\n')[1]);
  };
  return {
    sentinels: sentinelNodes.map((s) => `127.0.0.1:${s.port}`).join(','),
    masterName,
    dataNodes,
    sentinelNodes,
    primaryPort,
    async killPrimaryAndWaitForFailover(timeoutMs = 30_000) {
      const old = await primaryPort();
      const victim = dataNodes.find((n) => n.port === old);
      if (!victim) throw new Error(`the primary (${old}) is not one of ours`);
      await victim.kill();
      return waitFor(
        async () => {
          const now = await primaryPort();
          if (now === old) return undefined;
          return (await redisCli(now, 'info', 'replication')).includes('role:master') ? now : undefined;
        },
        { timeoutMs, intervalMs: 200, description: `the sentinels to promote a replica after ${old} died` },
      );
    },
    stop: stopAll,
  };
}
