import type { Logger } from '@floodgate/shared/logger';
import { isCooling, type Exit } from './exit';
import type { ExitHealth } from './exit-health';

export interface HealthCheckOptions {
  exits: readonly Exit[];
  health: ExitHealth;
  /** Answers that do not revive an exit (besides 5xx and 407). */
  blockStatuses: ReadonlySet<number>;
  /** Fetched with HEAD through each cooling exit. */
  url: string;
  intervalMs: number;
  logger: Logger;
  /** An exit is back in rotation. */
  onRevived(): void;
}

/**
 * Every `intervalMs`, one HEAD through each cooling exit whose turn this
 * process wins (a lock in Redis: one probe per exit per interval across all
 * processes); an answer ends the cool-down early. Returns the stop.
 */
export function startHealthCheck(options: HealthCheckOptions): () => void {
  let checking = false;
  const tick = () => {
    // One round at a time: a round stuck on a Redis outage does not pile up more.
    if (checking) return;
    checking = true;
    void checkCoolingExits(options).finally(() => (checking = false));
  };
  const timer = setInterval(tick, options.intervalMs).unref();
  return () => clearInterval(timer);
}

async function checkCoolingExits(options: HealthCheckOptions): Promise<void> {
  const target = new URL(options.url);
  const now = Date.now();
  await Promise.allSettled(
    options.exits
      .filter((exit) => isCooling(exit, now))
      .map(async (exit) => {
        if (!(await options.health.store.claimCheck(exit.endpoint, options.intervalMs))) return;
        const startedAt = Date.now();
        const response = await exit.dispatcher.request({
          origin: target.origin,
          path: `${target.pathname}${target.search}`,
          method: 'HEAD',
          headers: { 'user-agent': 'floodgate-proxy-healthcheck' },
          signal: AbortSignal.timeout(Math.min(options.intervalMs, 5_000)),
        });
        await response.body.dump();
        const status = response.statusCode;
        if (status >= 500 || status === 407 || options.blockStatuses.has(status)) return;
        if (await options.health.revive(exit, startedAt)) {
          options.logger.info({ proxy: exit.endpoint.hostPort, status }, 'proxy answered its health check: back in rotation');
          options.onRevived();
        }
      }),
  );
}
