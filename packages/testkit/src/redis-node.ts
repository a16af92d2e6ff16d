import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { promisify } from 'node:util';
import { freePort } from './free-port';
import { waitFor } from './wait-for';

const execFileAsync = promisify(execFile);

/** One redis-server or redis-sentinel process of a test topology, stopped by its own pid. */
export interface RedisNodeProcess {
  port: number;
  /** Its own data directory (logs, AOF, nodes.conf or sentinel.conf). */
  dir: string;
  /** The process id, or -1 while it is down. */
  readonly pid: number;
  /** Whether the process is running. */
  readonly running: boolean;
  /** SIGKILL, as a crashed host: no shutdown save, no goodbye to the peers. */
  kill(): Promise<void>;
  /** SIGTERM (then SIGKILL after 3 s). */
  stop(): Promise<void>;
  /** Starts it again with the same arguments, port and directory. */
  restart(): Promise<void>;
}

/**
 * Spawns `binary args` and resolves once it answers PING (not only accepts connections: see answersPing),
 * authenticating with `password` when the server requires one.
 */
export async function launchRedisNode(
  binary: 'redis-server' | 'redis-sentinel',
  args: string[],
  port: number,
  dir: string,
  password?: string | undefined,
): Promise<RedisNodeProcess> {
  let child: ChildProcess | undefined;
  const launch = async () => {
    const spawned = spawn(binary, args, { stdio: 'ignore' });
    child = spawned;
    const failed = new Promise<never>((_, reject) => {
      spawned.once('error', (err) => reject(new Error(`could not start ${binary} (is it installed?): ${err.message}`)));
      spawned.once('exit', (code) => reject(new Error(`${binary} on ${port} exited with code ${code} at start; see ${dir}`)));
    });
    failed.catch(() => undefined);
    await Promise.race([waitFor(() => answersPing(port, password), { timeoutMs: 10_000, description: `${binary} on ${port}` }), failed]);
  };
  const end = async (signal: NodeJS.Signals) => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    const timer = setTimeout(() => running.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  };
  await launch();
  return {
    port,
    dir,
    get pid() {
      return child?.pid ?? -1;
    },
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
    restart: launch,
  };
}

/** Runs one command with redis-cli against a loopback port and returns its raw output. */
export async function redisCli(port: number, ...command: string[]): Promise<string> {
  const { stdout } = await execFileAsync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...command], { timeout: 10_000 });
  return stdout;
}

/**
 * Makes the Redis on `replicaPort` a replica of the one on `primaryPort` (or of
 * whatever listens there: a fault proxy in front of the primary) and waits
 * until its link is up, so a WAIT counts it.
 */
export async function attachReplica(replicaPort: number, primaryPort: number, timeoutMs = 30_000): Promise<void> {
  await redisCli(replicaPort, 'replicaof', '127.0.0.1', String(primaryPort));
  await waitFor(async () => (await redisCli(replicaPort, 'info', 'replication')).includes('master_link_status:up'), {
    timeoutMs,
    description: `the replica on ${replicaPort} to sync`,
  });
}

/**
 * A free loopback port below 50000 whose port + 10000 is free too: a cluster
 * node listens on both (the second for its cluster bus).
 */
export async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = await freePort();
    if (port >= 50_000 || taken.has(port) || taken.has(port + 10_000)) continue;
    if (await portIsFree(port + 10_000)) {
      taken.add(port);
      taken.add(port + 10_000);
      return port;
    }
  }
  throw new Error('no free port pair (port and port + 10000) below 50000');
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/**
 * Whether the redis-server (or redis-sentinel) on `port` answers PING. An open port is not enough: after a
 * restart it answers -LOADING until its append-only file is read back.
 */
export function answersPing(port: number, password?: string | undefined): Promise<boolean> {
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
