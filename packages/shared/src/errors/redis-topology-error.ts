import { FloodgateError } from './floodgate-error';

/** The Redis found at start is not the topology the environment names (a cluster node given as REDIS_URL). */
export class RedisTopologyError extends FloodgateError {
  constructor(message: string) {
    super('redis_topology_mismatch', message);
  }
}
