import { listProxyStatuses, type ProxyEndpoint } from '@floodgate/shared/proxies';
import type { RedisClient } from '@floodgate/shared/redis';
import { withRedis } from '../redis/redis-deadline';
import type { HandlersOf } from './route-handlers';

export interface ProxiesRouterDeps {
  redis: RedisClient;
  /** QUEUE_PREFIX: the workers keep each proxy's health at `proxyStateKey(prefix, id)`. */
  prefix: string;
  /** The proxies this process is configured with (FETCH_PROXIES / FETCH_PROXIES_FILE): listed even before any worker used them. */
  proxies?: readonly ProxyEndpoint[] | undefined;
}

/**
 * `GET /v1/proxies` (admin): each page-extract proxy, configured here or used
 * by a worker lately, with its state (healthy or cooling), counts, last error
 * and cool-down end, from the health the workers share in Redis. URLs are
 * shown with their credentials masked.
 */
export function proxiesHandlers(deps: ProxiesRouterDeps): HandlersOf<'listProxies'> {
  return {
    listProxies: async () => ({ status: 200, body: { proxies: await withRedis(deps.redis, () => listProxyStatuses(deps.redis, deps.prefix, deps.proxies ?? [])) } }),
  };
}
