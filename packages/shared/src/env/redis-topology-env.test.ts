import { describe, expect, it } from 'vitest';
import { CommonEnv, givenRedisVariables, refineRedisTopology, resolveRedisTarget } from './common-env';
import { parseEnv } from './parse-env';

const Schema = CommonEnv.superRefine(refineRedisTopology);
const parse = (source: Record<string, string>) => parseEnv(Schema, source);

describe('the Redis topology variables', () => {
  it('picks the embedded single node when nothing is given', () => {
    expect(resolveRedisTarget(parse({}))).toEqual({ topology: 'single', url: 'redis://127.0.0.1:6390' });
  });

  it('counts a Redis as given only when one of its variables is set to something', () => {
    expect(givenRedisVariables(parse({}))).toEqual([]);
    expect(givenRedisVariables(parse({ REDIS_URL: '  ', REDIS_CLUSTER_NODES: '' }))).toEqual([]);
    expect(givenRedisVariables(parse({ REDIS_SENTINELS: 'a:26379', REDIS_SENTINEL_MASTER: 'm' }))).toEqual(['REDIS_SENTINELS']);
  });

  it('reads a cluster with credentials and TLS', () => {
    const env = parse({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, [::1]:7001', REDIS_USERNAME: 'app', REDIS_PASSWORD: 'pw', REDIS_TLS: 'yes' });
    expect(resolveRedisTarget(env)).toEqual({
      topology: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '::1', port: 7001 },
      ],
      username: 'app',
      password: 'pw',
      tls: true,
    });
  });

  it('reads sentinels and the master name', () => {
    const env = parse({ REDIS_SENTINELS: 'a:26379,b:26380', REDIS_SENTINEL_MASTER: 'mymaster' });
    expect(resolveRedisTarget(env)).toMatchObject({ topology: 'sentinel', masterName: 'mymaster', sentinels: [{ host: 'a', port: 26379 }, { host: 'b', port: 26380 }] });
  });

  it.each([
    [{ REDIS_URL: 'redis://h:1', REDIS_CLUSTER_NODES: 'h:2' }, /REDIS_URL and REDIS_CLUSTER_NODES name different Redis topologies/],
    [{ REDIS_CLUSTER_NODES: 'h:2', REDIS_SENTINELS: 'h:3', REDIS_SENTINEL_MASTER: 'm' }, /REDIS_CLUSTER_NODES and REDIS_SENTINELS/],
    [{ REDIS_SENTINELS: 'h:3' }, /REDIS_SENTINEL_MASTER: REDIS_SENTINELS needs REDIS_SENTINEL_MASTER/],
    [{ REDIS_SENTINEL_MASTER: 'm' }, /REDIS_SENTINEL_MASTER is only used with REDIS_SENTINELS/],
    [{ REDIS_URL: 'redis://h:1', REDIS_PASSWORD: 'pw' }, /REDIS_PASSWORD is for REDIS_CLUSTER_NODES or REDIS_SENTINELS/],
    [{ REDIS_CLUSTER_NODES: 'h' }, /REDIS_CLUSTER_NODES: "h" is not host:port/],
    [{ REDIS_CLUSTER_NODES: 'h:70000' }, /not host:port/],
  ])('refuses %j, naming the variables', (source, message) => {
    expect(() => parse(source)).toThrow(message);
  });

  it('never echoes REDIS_PASSWORD', () => {
    expect(() => parse({ REDIS_URL: 'redis://h:1', REDIS_PASSWORD: 'hunter2' })).toThrow(/\*\*\*/);
    expect(() => parse({ REDIS_URL: 'redis://h:1', REDIS_PASSWORD: 'hunter2' })).not.toThrow(/hunter2/);
  });
});
