import type { CpuPool } from '../cpu-pool/cpu-pool';
import { cpuTaskTypes, type CpuTaskType } from '../cpu-pool/cpu-tasks';
import { defineHandler, type CatalogHandler } from '../define-handler';

export type CpuBoundHandlers = { readonly [T in CpuTaskType]: CatalogHandler<T> };

/**
 * The handler of every CPU-bound type: its payload goes to the pool, whose thread a
 * timeout or cancel terminates. One for all, so a CPU-bound type needs no handler of
 * its own, only its work in `cpu-tasks.ts`.
 */
export function createCpuBoundHandlers(pool: CpuPool): CpuBoundHandlers {
  const handlers = cpuTaskTypes.map((type) => defineHandler(type, (payload, ctx) => pool.run(type, payload, ctx.signal)));
  return Object.fromEntries(handlers.map((handler) => [handler.type, handler])) as CpuBoundHandlers;
}
