import type { ProxyEndpoint, ProxyHealth } from '@floodgate/shared/proxies';
import type { Dispatcher } from 'undici';

/** One exit as this process tracks it; selection, health and the pool share these objects. */
export interface Exit {
  readonly endpoint: ProxyEndpoint;
  readonly dispatcher: Dispatcher;
  /** Position in the configured list: round-robin's order and the metrics' cache key. */
  readonly index: number;
  /** Requests this process has in flight through it. */
  active: number;
  /** Order of last use, for `lru`. */
  lastUsed: number;
  health: ProxyHealth;
}

export function isCooling(exit: Exit, now = Date.now()): boolean {
  return exit.health.coolUntil > now;
}
