import { redactUrlCredentials } from '../logger/redact-url';

/** A host and port of a seed node or a sentinel. */
export interface RedisHostPort {
  host: string;
  port: number;
}

/** Credentials and TLS for the nodes of a cluster or a sentinel-managed group. */
export interface RedisNodeAuth {
  username?: string;
  password?: string;
  /** Connect to every node over TLS. @defaultValue false */
  tls?: boolean;
}

/**
 * Where a process's Redis is, in one of the three topologies floodgate runs on.
 * Built from the environment by `resolveRedisTarget` (`@floodgate/shared/env`)
 * and turned into a connection by `createRedis`.
 */
export type RedisTarget =
  /** One node (maybe a managed service's single endpoint): `REDIS_URL`. */
  | { topology: 'single'; url: string }
  /** A Redis Cluster, found through any of its nodes: `REDIS_CLUSTER_NODES`. */
  | ({ topology: 'cluster'; nodes: RedisHostPort[] } & RedisNodeAuth)
  /** A primary with replicas watched by sentinels: `REDIS_SENTINELS` + `REDIS_SENTINEL_MASTER`. */
  | ({ topology: 'sentinel'; sentinels: RedisHostPort[]; masterName: string } & RedisNodeAuth);

/**
 * Parses `host:port,host:port,...` (IPv6 as `[::1]:7000`). Throws a message
 * naming the bad entry, for the env parser to show.
 */
export function parseHostPortList(value: string): RedisHostPort[] {
  const entries = value.split(',').map((e) => e.trim()).filter((e) => e !== '');
  if (entries.length === 0) throw new Error('must list at least one host:port');
  return entries.map((entry) => {
    const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[3]);
    if (!match || !(port >= 1 && port <= 65_535)) throw new Error(`"${entry}" is not host:port`);
    return { host: (match[1] ?? match[2]) as string, port };
  });
}

/** One line for logs and the start banner; never a password. */
export function describeRedisTarget(target: RedisTarget): string {
  const list = (nodes: RedisHostPort[]) => nodes.map((n) => (n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`)).join(',');
  switch (target.topology) {
    case 'single':
      return redactUrlCredentials(target.url);
    case 'cluster':
      return `cluster ${list(target.nodes)}${target.tls ? ' (tls)' : ''}`;
    case 'sentinel':
      return `sentinel master "${target.masterName}" via ${list(target.sentinels)}${target.tls ? ' (tls)' : ''}`;
  }
}
