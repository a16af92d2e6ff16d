import { Cluster } from 'ioredis';
import { RedisTopologyError } from '../errors/redis-topology-error';
import type { RedisClient } from './create-redis';
import { describeRedisTarget, type RedisTarget } from './redis-target';

/**
 * Throws when the Redis found is not the topology the environment asked for:
 * a cluster node given as REDIS_URL would answer MOVED for most keys, and
 * BullMQ would fail job by job instead of once, at start.
 */
export async function checkTopology(client: RedisClient, target: RedisTarget): Promise<void> {
  if (client instanceof Cluster) return; // it could not have reached ready otherwise
  const info = await client.info('cluster');
  if (/^cluster_enabled:1/m.test(info)) {
    const variable = target.topology === 'sentinel' ? 'REDIS_SENTINELS' : 'REDIS_URL';
    throw new RedisTopologyError(
      `${describeRedisTarget(target)} is a Redis Cluster node (cluster_enabled:1), but ${variable} is for a non-cluster Redis: ` +
        'set REDIS_CLUSTER_NODES=host:port,... (and unset REDIS_URL) to use the cluster.',
    );
  }
}
