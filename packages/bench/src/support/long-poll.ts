import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { Agent, request } from 'node:http';

/** What one long-polling request got back. */
export interface WaiterAnswer {
  /** HTTP status, or 0 when the request failed (connection error, client timeout). */
  status: number;
  /** The job's `state` in the answer, when there was a JSON body with one. */
  state: string | undefined;
  result: unknown;
  /** The job's `finishedAt` (epoch ms), when the answer carried one. */
  finishedAt: number | undefined;
  /** Epoch ms (Date.now) and monotonic ms (performance.now) at which the answer was complete. */
  answeredAt: number;
  answeredAtMono: number;
  error: string | undefined;
}

export interface ParkedWaiters {
  /** Every waiter's answer, once each has answered or failed (each is bounded by the client timeout). */
  all: Promise<WaiterAnswer[]>;
  /** Waiters that have answered (or failed) so far. */
  answered(): number;
  /** Time it took to send every request over its own connected socket, ms. */
  parkMs: number;
  /** Requests whose connection could not be opened. */
  connectFailures: number;
  /** Destroys every socket still open. */
  close(): void;
}

/**
 * Opens one GET per path to 127.0.0.1:`port`, each on its own connection, `batch` at a time, waiting between batches for
 * the server's accept queue to drain (overflowing it drops handshakes, costing a 1 s SYN retransmit). Resolves once every
 * request is sent; the answers come through `all`.
 */
export async function parkWaiters(
  port: number,
  paths: readonly string[],
  options: { batch: number; timeoutMs: number },
): Promise<ParkedWaiters> {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity, maxTotalSockets: Infinity });
  let answered = 0;
  let connectFailures = 0;
  const answers: Array<Promise<WaiterAnswer>> = [];
  const begun = performance.now();
  for (let start = 0; start < paths.length; start += options.batch) {
    const connected: Array<Promise<void>> = [];
    for (const path of paths.slice(start, start + options.batch)) {
      let onConnected: () => void = () => undefined;
      connected.push(new Promise<void>((resolve) => (onConnected = resolve)));
      answers.push(
        new Promise<WaiterAnswer>((resolve) => {
          let done = false;
          const finish = (answer: Omit<WaiterAnswer, 'answeredAt' | 'answeredAtMono'>) => {
            if (done) return;
            done = true;
            answered++;
            onConnected();
            resolve({ ...answer, answeredAt: Date.now(), answeredAtMono: performance.now() });
          };
          const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('error', (err) => finish({ status: 0, state: undefined, result: undefined, finishedAt: undefined, error: err.message }));
            res.on('end', () => {
              let body: { state?: unknown; result?: unknown; finishedAt?: unknown } = {};
              try {
                body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
              } catch {
                // Not JSON: the status tells what happened.
              }
              const finishedAt = typeof body.finishedAt === 'string' ? Date.parse(body.finishedAt) : undefined;
              finish({
                status: res.statusCode ?? 0,
                state: typeof body.state === 'string' ? body.state : undefined,
                result: body.result,
                finishedAt: Number.isFinite(finishedAt) ? finishedAt : undefined,
                error: undefined,
              });
            });
          });
          req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
          req.on('error', (err) => {
            if ((err as NodeJS.ErrnoException).syscall === 'connect') connectFailures++;
            finish({ status: 0, state: undefined, result: undefined, finishedAt: undefined, error: err.message });
          });
          req.on('socket', (socket) => {
            if (!socket.connecting) onConnected();
            else socket.once('connect', onConnected);
          });
          req.end();
        }),
      );
    }
    await Promise.all(connected);
    const until = performance.now() + 2_000;
    while ((acceptQueueLength(port) ?? 0) > options.batch / 2 && performance.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
  return {
    all: Promise.all(answers),
    answered: () => answered,
    parkMs: performance.now() - begun,
    get connectFailures() {
      return connectFailures;
    },
    close: () => agent.destroy(),
  };
}

/** Resident set size of a process, in bytes (Linux: `VmRSS` in /proc/PID/status). */
export function rssBytes(pid: number): number {
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kb === undefined ? Number.NaN : Number(kb) * 1_024;
}

/** CPU time (user + system) a process has used so far, in clock ticks (Linux: /proc/PID/stat). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Resolves once `pid` has been idle (at most 2 ticks, ~20 ms of CPU, per
 * 250 ms) twice in a row, or after `timeoutMs`: the sign that it has taken in
 * everything sent to it. Returns whether it settled.
 */
export async function waitUntilIdle(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let quiet = 0;
  let last = cpuTicks(pid);
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = cpuTicks(pid);
    quiet = now - last <= 2 ? quiet + 1 : 0;
    last = now;
    if (quiet >= 2) return true;
  }
  return false;
}

/** The soft limit on open files of this process (`ulimit -n`), which children inherit. */
export function openFilesLimit(): number {
  const line = /^Max open files\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
  return line === undefined || line === 'unlimited' ? Number.POSITIVE_INFINITY : Number(line);
}

/**
 * Connections waiting in the accept queue of the socket listening on
 * 127.0.0.1:`port` (Linux: `rx_queue` of its LISTEN line in /proc/net/tcp),
 * or undefined when it cannot be read. Listening sockets come first in that
 * file, so only its head is read, however many connections are open.
 */
export function acceptQueueLength(port: number): number | undefined {
  let head: string;
  try {
    const fd = openSync('/proc/net/tcp', 'r');
    try {
      const buffer = Buffer.alloc(256 * 1_024);
      head = buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, null));
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const line = new RegExp(`^\\s*\\d+: ${local} 00000000:0000 0A [0-9A-F]{8}:([0-9A-F]{8})`, 'm').exec(head);
  return line?.[1] === undefined ? undefined : Number.parseInt(line[1], 16);
}
