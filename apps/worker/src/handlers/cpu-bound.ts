import { catalog } from '@floodgate/shared/jobs';
import type { CpuPool } from '../cpu-pool/cpu-pool';
import { cpuTaskTypes, type CpuTaskData, type CpuTaskType } from '../cpu-pool/cpu-tasks';
import { defineBatchHandler, defineHandler, type CatalogHandler } from '../running/define-handler';

export type CpuBoundHandlers = { readonly [T in CpuTaskType]: CatalogHandler<T> };

/**
 * The handler of every CPU-bound type: its payload goes to the pool, whose thread a
 * timeout or cancel terminates. One for all, so a CPU-bound type needs no handler of
 * its own, only its work in `cpu-tasks.ts`. A batch type sends its whole batch as one
 * task, stopped only once every job of the batch has stopped waiting for it.
 */
export function createCpuBoundHandlers(pool: CpuPool): CpuBoundHandlers {
  const handlers = cpuTaskTypes.map((type) => (catalog[type].batch ? batchHandler(pool, type) : singleHandler(pool, type)));
  return Object.fromEntries(handlers.map((handler) => [handler.type, handler])) as CpuBoundHandlers;
}

function singleHandler<T extends CpuTaskType>(pool: CpuPool, type: T): CatalogHandler<T> {
  return defineHandler(type, (payload, ctx) => pool.run(type, payload as CpuTaskData<T>, ctx.signal) as never);
}

function batchHandler<T extends CpuTaskType>(pool: CpuPool, type: T): CatalogHandler<T> {
  return defineBatchHandler(type, async (items, batch) => {
    const data = items.map((item) => item.data) as CpuTaskData<T>;
    const results = (await pool.run(type, data, batch.signal)) as unknown[];
    return results.map((result) => ({ ok: true as const, result: result as never }));
  });
}
