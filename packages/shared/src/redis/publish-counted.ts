import { Cluster } from 'ioredis';
import type { RedisClient } from './create-redis';

/**
 * PUBLISH, answering how many subscribers the message reached. On one node
 * that is PUBLISH's own reply. A cluster broadcasts classic pub/sub to every
 * node, but PUBLISH (and PUBSUB NUMSUB) count only the clients of the node that
 * answers, and a subscriber sits on whichever node it picked (a replica too):
 * so the count is summed over every node. A node that cannot answer counts 0.
 */
export async function publishCounted(client: RedisClient, channel: string, message: string): Promise<number> {
  const local = await client.publish(channel, message);
  if (!(client instanceof Cluster)) return local;
  const counts = await Promise.all(
    client.nodes('all').map(async (node) => {
      try {
        const [, count] = (await node.pubsub('NUMSUB', channel)) as [string, number];
        return Number(count);
      } catch {
        return 0;
      }
    }),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}
