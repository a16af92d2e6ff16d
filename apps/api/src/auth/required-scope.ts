import type { Scope } from '@floodgate/shared/api-keys';
import { isJobType } from '@floodgate/shared/jobs';
import { matchRoute } from '@floodgate/shared/wire';

/** Swagger UI's own files, which the open docs page loads. */
const DOCS_FILES = '/docs/';

/**
 * The scope a request needs, from its method and path alone (before any
 * routing), or `open`: the route table's `scope` of the route it names
 * (`write` is `jobs:write:<type>`, or `jobs:write` for an unknown type). A
 * request no route serves needs `jobs:read`, so a stranger cannot even map the routes.
 */
export function requiredScope(method: string, path: string): Scope | 'open' {
  // HEAD is a GET without its body, as express routes it.
  const match = matchRoute(method === 'HEAD' ? 'GET' : method, path);
  if (!match) return path.startsWith(DOCS_FILES) ? 'open' : 'jobs:read';
  switch (match.route.scope) {
    case 'open':
      return 'open';
    case 'admin':
      return 'admin';
    case 'read':
      return 'jobs:read';
    case 'write': {
      const type = match.params.type ?? '';
      return isJobType(type) ? (`jobs:write:${type}` as Scope) : 'jobs:write';
    }
  }
}
