import type { Scope } from '@floodgate/shared/api-keys';
import { isJobType } from '@floodgate/shared/jobs';

/** Paths anyone may call: probes, metrics and the API's own description. */
const OPEN = /^\/(healthz|readyz|metrics|openapi\.json|docs(\/.*)?)$/;
const ENQUEUE = /^\/v1\/jobs\/([^/]+)(\/bulk)?$/;
const JOB_CONTROL = /^\/v1\/jobs\/[^/]+\/[^/]+(\/retry)?$/;
const QUEUE_CONTROL = /^\/v1\/queues\/[^/]+(\/tenants\/[^/]+)?\/(pause|resume)$/;
const SCHEDULE = /^\/v1\/schedules\/[^/]+$/;
const PROXIES = /^\/v1\/proxies(\/.*)?$/;

/**
 * The scope a request needs, from its method and path alone (before any
 * routing), or `open`. Anything not listed needs `jobs:read`, unknown paths
 * included, so a stranger cannot even map the routes.
 * - `POST /v1/jobs/:type[/bulk]`: `jobs:write:<type>` (an unknown type: `jobs:write`);
 * - cancel, retry, pause, resume (of a type or of one tenant), changing schedules, and `/v1/proxies` (it shows the egress setup): `admin`;
 * - every other request: `jobs:read`.
 */
export function requiredScope(method: string, path: string): Scope | 'open' {
  if (OPEN.test(path)) return 'open';
  if (PROXIES.test(path)) return 'admin';
  if (method === 'POST') {
    const enqueue = ENQUEUE.exec(path);
    if (enqueue) {
      const type = decodeSegment(enqueue[1] ?? '');
      return isJobType(type) ? (`jobs:write:${type}` as Scope) : 'jobs:write';
    }
    if (QUEUE_CONTROL.test(path) || /\/retry$/.test(path)) return 'admin';
  }
  if (method === 'DELETE' && JOB_CONTROL.test(path)) return 'admin';
  if ((method === 'PUT' || method === 'DELETE') && SCHEDULE.test(path)) return 'admin';
  return 'jobs:read';
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
