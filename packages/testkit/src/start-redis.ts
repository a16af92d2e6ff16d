import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { launchRedisNode } from './redis-node';
import { redisServerArgs, type RedisServerOptions } from './redis-server-args';

export interface PrivateRedis {
  /** `redis://127.0.0.1:PORT` (with the password when one was set). */
  url: string;
  port: number;
  /** Working directory of this server (AOF files live here when `appendonly`). */
  dir: string;
  /** The redis-server process id. */
  pid: number;
  /** Stops the server (SIGTERM, then SIGKILL) and deletes its directory. */
  stop(): Promise<void>;
  /** Stops the server but keeps its data directory, so {@link PrivateRedis.restart} can reload it. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and directory. */
  restart(): Promise<void>;
}

export type StartRedisOptions = RedisServerOptions;

/**
 * Starts a private `redis-server` on a free loopback port: never the shared
 * 6379, so tests cannot disturb (or be disturbed by) another Redis.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'floodgate-redis-'));
  const node = await launchRedisNode('redis-server', redisServerArgs(port, dir, options), port, dir, options.password);
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    dir,
    get pid() {
      return node.pid;
    },
    async stop() {
      await node.stop();
      await rm(dir, { recursive: true, force: true });
    },
    // A clean SIGTERM shutdown (not the node's SIGKILL): callers restart it to read the append-only file back.
    kill: () => node.stop(),
    restart: () => node.restart(),
  };
}
