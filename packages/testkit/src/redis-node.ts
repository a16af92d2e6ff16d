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

/** Spawns `binary args` and resolves once its port accepts connections. */
export async function launchRedisNode(binary: 'redis-server' | 'redis-sentinel', args: string[], port: number, dir: string): Promise<RedisNodeProcess> {
  let child: ChildProcess | undefined;
  const launch = async () => {
    const spawned = spawn(binary, args, { stdio: 'ignore' });
    child = spawned;
    const failed = new Promise<never>((_, reject) => {
      spawned.once('error', (err) => reject(new Error(`could not start ${binary} (is it installed?): ${err.message}`)));
      spawned.once('exit', (code) => reject(new Error(`${binary} on ${port} exited with code ${code} at start; see ${dir}`)));
    });
    failed.catch(() => undefined);
    await Promise.race([waitFor(() => portAnswers(port), { timeoutMs: 10_000, description: `${binary} on ${port}` }), failed]);
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

/** Whether something accepts TCP connections on the loopback `port`. */
export async function portAnswers(port: number): Promise<boolean> {
  return !(await portIsFree(port));
}
