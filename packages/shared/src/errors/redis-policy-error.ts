import { FloodgateError } from './floodgate-error';

/**
 * Redis is configured in a way that would break a promise floodgate makes: an
 * eviction policy other than noeviction (jobs lost), or no `WAITAOF` while
 * REDIS_ACK_FSYNC asks for it. @param code defaults to `redis_eviction_policy`
 */
export class RedisPolicyError extends FloodgateError {
  constructor(message: string, code: 'redis_eviction_policy' | 'redis_no_aof_ack' = 'redis_eviction_policy') {
    super(code, message);
  }
}
