import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';

export interface RunningApp {
  pid: number;
  child: ChildProcess;
  /** SIGINT (what pm2 sends), then waits for the exit. */
  stop(): Promise<void>;
}

/** The built entry point of a floodgate app (`dist/index.js`). */
export function appEntry(app: 'api' | 'worker'): string {
  return join(dirname(require.resolve(`@floodgate/${app}/package.json`)), 'dist/index.js');
}

/**
 * Starts a Node.js process with an IPC channel and waits for its `ready`
 * message, the same signal pm2's `wait_ready` waits for.
 */
export async function spawnApp(script: string, env: Record<string, string>, timeoutMs = 30_000): Promise<RunningApp> {
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
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      await exited;
    },
  };
}
