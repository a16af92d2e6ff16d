import { closeHandlers, type Handlers } from '../handlers';
import type { PageFetcher } from '../page-fetch/page-fetcher';
import type { ProxyPool } from '../proxy-pool/proxy-pool';
import type { RunningWorkers } from '../workers/start-workers';

/** Test-only: page-extract workers a test file started through a proxy pool, and what they hold. */
export interface ProxiedWorkers {
  running: RunningWorkers;
  handlers: Handlers;
  pageFetcher: PageFetcher;
  pool: ProxyPool;
}

/** Closes each in the process's own order: workers, handlers, the page fetcher, then its pool. */
export async function closeProxiedWorkers(started: readonly ProxiedWorkers[]): Promise<void> {
  for (const { running, handlers, pageFetcher, pool } of started) {
    await running.close(5_000);
    await closeHandlers(handlers);
    await pageFetcher.close();
    await pool.close();
  }
}
