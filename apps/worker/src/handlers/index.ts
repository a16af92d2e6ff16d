import type { JobType } from '@floodgate/shared/jobs';
import type { CatalogHandler } from '../running/define-handler';
import type { CpuPool } from '../cpu-pool/cpu-pool';
import { createCpuBoundHandlers } from './cpu-bound';
import { pageExtractHandler } from './page-extract';

/** The handler of every catalog job type: one each, no more (catalog-drift.test.ts checks). */
export type Handlers = { readonly [T in JobType]: CatalogHandler<T> };

/** What the handlers need. (page-extract fetches through `ctx.fetchPage`: see createPageFetcher.) */
export interface HandlerOptions {
  /** Where the CPU-bound types (`cpuBound` in the catalog) run. Owned by the caller, which closes it. */
  cpuPool: CpuPool;
}

/**
 * The handler registry, keyed by job type: one line per I/O-bound type; the
 * CPU-bound ones all come from `cpu-tasks.ts`. A factory rather than a constant
 * because the CPU-bound handlers run on a pool the caller owns (tests pass their own).
 */
export function createHandlers(options: HandlerOptions): Handlers {
  return {
    ...createCpuBoundHandlers(options.cpuPool),
    'page-extract': pageExtractHandler,
  };
}

/** Releases every handler's resources; call once the workers have stopped. */
export async function closeHandlers(handlers: Handlers): Promise<void> {
  await Promise.allSettled(Object.values(handlers).map((handler) => handler.close?.()));
}
