import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
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

/**
 * Whether redis-server on `port` answers PING. An open port is not enough: after a
 * restart it answers -LOADING until its append-only file is read back.
 */
function answersPing(port: number, password: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    const expected = password ? 2 : 1;
    let reply = '';
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('connect', () => socket.write(`${password ? command(['AUTH', password]) : ''}${command(['PING'])}`));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('+PONG\r\n')) done(true);
      else if (reply.split('\r\n').filter(Boolean).length >= expected) done(false);
    });
    socket.once('error', () => done(false));
  });
}

/** One command in RESP, so a password with spaces survives. */
function command(args: string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}
