import type { RedisOptions } from 'ioredis';

/** What a URL can say: narrower than ioredis's options, so BullMQ's connection type accepts it too. */
export type UrlRedisOptions = Pick<RedisOptions, 'host' | 'port' | 'username' | 'password' | 'db' | 'tls'>;

/**
 * Turns a `redis://` or `rediss://` URL into ioredis options. `rediss://` turns
 * TLS on; user and password may be percent-encoded; a path `/N` selects database N.
 * Parsed here rather than by ioredis so the rules are ours and tested.
 */
export function redisOptionsFromUrl(url: string): UrlRedisOptions {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`Redis URL must use redis:// or rediss://, got ${parsed.protocol}//`);
  }
  const options: UrlRedisOptions = {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
  };
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  const db = parsed.pathname.replace(/^\//, '');
  if (db) {
    if (!/^\d+$/.test(db)) throw new Error(`Redis URL database must be a number, got "${db}"`);
    options.db = Number(db);
  }
  if (parsed.protocol === 'rediss:') options.tls = { servername: options.host };
  return options;
}
