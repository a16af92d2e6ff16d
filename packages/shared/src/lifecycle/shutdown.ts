import type { Logger } from 'pino';

export interface Shutdown {
  /**
   * Registers a cleanup step. Steps run in reverse order of registration (the
   * HTTP server, registered last, stops first; the Redis connection it used
   * closes last), each in its own try/catch so one failure skips nothing.
   */
  add(name: string, step: () => Promise<unknown> | unknown): void;
  /** Runs every step once; later calls return the same promise. */
  run(reason: string): Promise<void>;
}

export interface ShutdownOptions {
  logger: Logger;
  /**
   * How long all steps together may take before the process exits anyway. Keep
   * it below pm2's `kill_timeout`, or pm2 SIGKILLs us mid-cleanup.
   */
  graceMs: number;
  /** Exit the process when done. Tests pass `false`. @defaultValue true */
  exit?: boolean;
}

/**
 * The one place a process registers its cleanup. Also installs SIGINT (what pm2
 * sends) and SIGTERM (what everything else sends) handlers.
 */
export function createShutdown(options: ShutdownOptions): Shutdown {
  const steps: Array<{ name: string; step: () => Promise<unknown> | unknown }> = [];
  const exit = options.exit ?? true;
  let running: Promise<void> | undefined;

  const run = (reason: string): Promise<void> => {
    running ??= (async () => {
      const log = options.logger.child({ reason });
      log.info({ graceMs: options.graceMs }, 'shutting down');
      const timer = setTimeout(() => {
        log.error({ graceMs: options.graceMs }, 'shutdown grace period exceeded, exiting');
        if (exit) process.exit(1);
      }, options.graceMs);
      timer.unref();
      let failed = false;
      for (const { name, step } of [...steps].reverse()) {
        try {
          await step();
        } catch (err) {
          failed = true;
          log.error({ err, step: name }, 'shutdown step failed');
        }
      }
      clearTimeout(timer);
      log.info({ failed }, 'shutdown complete');
      if (exit) {
        // Give pino a tick to flush before leaving.
        setImmediate(() => process.exit(failed ? 1 : 0));
      }
    })();
    return running;
  };

  if (exit) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => void run(signal));
    }
  }

  return {
    add: (name, step) => void steps.push({ name, step }),
    run,
  };
}
