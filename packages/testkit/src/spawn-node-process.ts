import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface RunningProcess {
  pid: number;
  child: ChildProcess;
  /** SIGINT (what pm2 sends), then waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: no cleanup, as in a crash or an OOM kill; waits for the exit. */
  kill(): Promise<void>;
}

/**
 * Starts a Node.js process with an IPC channel and waits for its `ready`
 * message, the same signal pm2's `wait_ready` waits for. LOG_LEVEL defaults to
 * warn; stdout is dropped, stderr (warnings, crashes) comes through.
 */
export async function spawnNodeProcess(script: string, env: Record<string, string>, timeoutMs = 30_000): Promise<RunningProcess> {
  const child = fork(script, [], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} was not ready within ${timeoutMs} ms`)), timeoutMs);
    child.on('message', (message) => {
      if (message === 'ready') {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with code ${code} before it was ready`));
    });
  });
  try {
    await ready;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    pid: child.pid ?? -1,
    child,
    stop: () => signalAndWait(child, 'SIGINT'),
    kill: () => signalAndWait(child, 'SIGKILL'),
  };
}

async function signalAndWait(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}
