import { describe, expect, it } from 'vitest';
import { isRedisConnectionError, wasNeverSent } from './redis-errors';

describe('isRedisConnectionError', () => {
  it.each([
    'CLUSTERDOWN The cluster is down',
    'MOVED 3999 127.0.0.1:7002',
    'ASK 3999 127.0.0.1:7002',
    'TRYAGAIN Multiple keys request during rehashing of slot',
    "READONLY You can't write against a read only replica.",
    'MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no',
    'LOADING Redis is loading the dataset in memory',
    'Too many Cluster redirections. Last error: Error: Connection is closed.',
    'Failed to refresh slots cache.',
    "Cluster isn't ready and enableOfflineQueue options is false",
  ])('counts "%s" (a failover in progress) as Redis being unavailable: a 503, not a 500', (message) => {
    expect(isRedisConnectionError(new Error(message))).toBe(true);
  });

  it('leaves other errors alone', () => {
    expect(isRedisConnectionError(new Error('ERR wrong number of arguments'))).toBe(false);
    expect(isRedisConnectionError(new TypeError('x is undefined'))).toBe(false);
  });
});

describe('wasNeverSent', () => {
  it('trusts a refusal before sending on one node, never on a Cluster (ioredis Cluster resends, and the last error says nothing of the first send)', () => {
    const refused = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    expect(wasNeverSent(refused, { isCluster: false })).toBe(true);
    expect(wasNeverSent(refused, { isCluster: true })).toBe(false);
    expect(wasNeverSent(new Error("Cluster isn't ready and enableOfflineQueue options is false"), { isCluster: true })).toBe(false);
    expect(wasNeverSent(new Error('Connection is closed.'), { isCluster: false })).toBe(false);
  });
});
