import { routes, type RouteName, type RouteSpec } from './routes';

export interface RouteMatch {
  name: RouteName;
  route: RouteSpec;
  /** The path's parameters, URL-decoded (left as sent when they do not decode). */
  params: Record<string, string>;
}

interface CompiledRoute {
  name: RouteName;
  route: RouteSpec;
  pattern: RegExp;
  paramNames: string[];
}

/**
 * A route's path as a pattern that matches what express matches: a
 * parameter is one segment, a trailing slash is allowed, and case does not
 * count (express's defaults), so a check on this match sees what routing sees.
 */
function compile(name: RouteName, route: RouteSpec): CompiledRoute {
  const paramNames: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      paramNames.push(segment.slice(1));
      return '([^/?#]+)';
    })
    .join('/');
  return { name, route, pattern: new RegExp(`^${source}/?$`, 'i'), paramNames };
}

const compiled: readonly CompiledRoute[] = (Object.entries(routes) as Array<[RouteName, RouteSpec]>).map(([name, route]) => compile(name, route));

/** The route a request names by method and path (no query string), or undefined. */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  for (const { name, route, pattern, paramNames } of compiled) {
    if (route.method !== method) continue;
    const found = pattern.exec(path);
    if (found) return { name, route, params: Object.fromEntries(paramNames.map((param, index) => [param, decodeSegment(found[index + 1] ?? '')])) };
  }
  return undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
