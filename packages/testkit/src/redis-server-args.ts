import { join } from 'node:path';

/** What a test may set on a private redis-server; everything else is the same for every server we start. */
export interface RedisServerOptions {
  /** e.g. `'64mb'`. @defaultValue no limit */
  maxmemory?: string;
  /** @defaultValue `'noeviction'` */
  maxmemoryPolicy?: string;
  /** Require this password (`requirepass`). */
  password?: string;
  /** Turn the append-only file on (restarts keep data). @defaultValue false */
  appendonly?: boolean;
}

/**
 * The redis-server command line of every private server (single, cluster node
 * or sentinel-monitored): loopback only, data and log in `dir`, no RDB
 * snapshots. Callers append what their topology adds (cluster or replica flags).
 */
export function redisServerArgs(port: number, dir: string, options: RedisServerOptions = {}): string[] {
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--save', '',
    '--appendonly', options.appendonly ? 'yes' : 'no',
    '--maxmemory-policy', options.maxmemoryPolicy ?? 'noeviction',
    '--logfile', join(dir, 'redis.log'),
  ];
  if (options.maxmemory) args.push('--maxmemory', options.maxmemory);
  if (options.password) args.push('--requirepass', options.password);
  return args;
}
