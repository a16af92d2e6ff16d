/** One primary's memory, as its `INFO memory` reports it. */
export interface MemoryInfo {
  usedBytes: number;
  /** `maxmemory`; 0 means no limit. */
  maxBytes: number;
}

/**
 * `used_memory` and `maxmemory` from an `INFO memory` reply. The caller sends
 * the INFO itself, so it can bound the wait as it needs (the memory guard
 * gives up after a deadline; the overview sampler just awaits).
 */
export function parseMemoryInfo(info: string): MemoryInfo {
  return {
    usedBytes: Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0),
    maxBytes: Number(/^maxmemory:(\d+)/m.exec(info)?.[1] ?? 0),
  };
}
