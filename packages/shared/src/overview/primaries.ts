import type { Cluster, Redis } from 'ioredis';

/** One Redis primary, named `host:port` as the client knows it. */
export interface Primary {
  name: string;
  client: Redis;
}

/**
 * The primaries behind a connection: the node itself, or every master of a
 * Cluster, so memory is charted per primary whatever the topology.
 */
export function primariesOf(redis: Redis | Cluster): Primary[] {
  const nodes = redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis];
  return nodes.map((client) => ({ name: `${client.options.host ?? 'localhost'}:${client.options.port ?? 6379}`, client }));
}

/** used_memory and maxmemory of one primary, from INFO memory. */
export async function readMemory(client: Redis): Promise<{ usedBytes: number; maxBytes: number }> {
  const info = await client.info('memory');
  return {
    usedBytes: Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0),
    maxBytes: Number(/^maxmemory:(\d+)/m.exec(info)?.[1] ?? 0),
  };
}
