import type { RedisClient } from '@floodgate/shared/redis';
import { settlesWithin } from './settles-within';

/**
 * QUIT (pending replies arrive first), or a plain disconnect when Redis does not
 * answer within `ms`: an unreachable Redis must not hold the process open.
 */
export async function closeRedis(connection: RedisClient, ms: number): Promise<void> {
  if (connection.status === 'end') return;
  if (!(await settlesWithin(connection.quit(), ms))) connection.disconnect();
}
