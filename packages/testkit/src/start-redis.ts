import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { answersPing } from './redis-node';
import { waitFor } from './wait-for';

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

export interface StartRedisOptions {
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
 * Starts a private `redis-server` on a free loopback port: never the shared
 * 6379, so tests cannot disturb (or be disturbed by) another Redis.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'floodgate-redis-'));
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

  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    const spawned = child;
    const failed = new Promise<never>((_, reject) => {
      spawned.once('error', (err) => reject(new Error(`could not start redis-server (is it installed?): ${err.message}`)));
      spawned.once('exit', (code) => reject(new Error(`redis-server exited with code ${code} at start; see ${dir}/redis.log`)));
    });
    failed.catch(() => undefined);
    await Promise.race([waitFor(() => answersPing(port, options.password), { timeoutMs: 10_000, description: `redis-server on ${port}` }), failed]);
  };
  const terminate = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    dir,
    get pid() {
      return child?.pid ?? -1;
    },
    async stop() {
      await terminate();
      await rm(dir, { recursive: true, force: true });
    },
    kill: terminate,
    restart: launch,
  };
}
