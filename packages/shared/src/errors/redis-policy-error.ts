import { FloodgateError } from './floodgate-error';

/** Redis is configured in a way that would lose jobs (an eviction policy other than noeviction). */
export class RedisPolicyError extends FloodgateError {
  constructor(message: string) {
    super('redis_eviction_policy', message);
  }
}
