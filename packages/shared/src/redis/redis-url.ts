import type { RedisOptions } from 'ioredis';

/**
 * Turns a `redis://` or `rediss://` URL into ioredis options. `rediss://` turns
 * TLS on; user and password may be percent-encoded; a path `/N` selects database N.
 * Parsed here rather than by ioredis so the rules are ours and tested.
 */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`Redis URL must use redis:// or rediss://, got ${parsed.protocol}//`);
  }
  const options: RedisOptions = {
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
