import type { Redis } from 'ioredis';
import { settlesWithin } from './settles-within';

/**
 * QUIT (pending replies arrive first), or a plain disconnect when Redis does not
 * answer within `ms`: an unreachable Redis must not hold the process open.
 */
export async function closeRedis(connection: Redis, ms: number): Promise<void> {
  if (connection.status === 'end') return;
  if (!(await settlesWithin(connection.quit(), ms))) connection.disconnect();
}
