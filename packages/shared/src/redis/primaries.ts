import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './create-redis';

/** One primary of a topology, with a name for logs and error details. */
export interface PrimaryConnection {
  /** `host:port` of a cluster primary or a single node; `sentinel:<master name>` behind sentinels. */
  name: string;
  redis: Redis;
}

/**
 * Every primary the client writes to: each master of a cluster (as the client
 * knows the slot map now), or the one node. Per-node facts such as memory and
 * the eviction policy must be read from each of these, never from "the"
 * connection, which in a cluster answers from a random node.
 */
export function primaryConnections(client: RedisClient): PrimaryConnection[] {
  if (client instanceof Cluster) {
    return client.nodes('master').map((redis) => ({ name: `${redis.options.host ?? '?'}:${redis.options.port ?? '?'}`, redis }));
  }
  const name = client.options.sentinels?.length ? `sentinel:${client.options.name ?? '?'}` : `${client.options.host ?? '?'}:${client.options.port ?? '?'}`;
  return [{ name, redis: client }];
}

/**
 * Visits every key matching `pattern` on every primary, with SCAN (never KEYS,
 * which blocks Redis), and returns them. In a cluster each master holds only
 * its own slots, so one SCAN alone would miss keys. A SCAN walks the whole
 * keyspace, so once `signal` fires (nobody waits for the keys any more) it
 * sends no further SCAN and rejects with the signal's reason.
 */
export async function scanEveryPrimary(client: RedisClient, pattern: string, count = 200, signal?: AbortSignal): Promise<string[]> {
  const keys: string[] = [];
  for (const { redis } of primaryConnections(client)) {
    let cursor = '0';
    do {
      signal?.throwIfAborted();
      const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
  }
  return keys;
}
