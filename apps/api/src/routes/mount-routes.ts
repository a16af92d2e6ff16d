import { routes, type RouteName, type RouteSpec } from '@floodgate/shared/wire';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { invalidQuery } from '../errors';
import { jobTypeOf } from '../http/request-params';
import { methodNotAllowed } from './method-not-allowed';
import type { RouteHandlers } from './route-handlers';

/** The order methods are listed in a 405's `Allow`. */
const METHOD_ORDER = ['GET', 'POST', 'PUT', 'DELETE'] as const;

type AnyHandler = (context: { req: Request; res: Response; type: unknown; query: unknown }) => unknown;
type AnyReply = { status: number; body: unknown; location?: string };

/**
 * An express router of the table's routes (those `include` keeps) that have a
 * handler here: each path once, in the table's order, with a 405 naming its
 * methods for any other. The only place routes are mounted.
 */
export function mountRoutes(handlers: Partial<RouteHandlers>, include: (route: RouteSpec) => boolean = () => true): Router {
  const byPath = new Map<string, RouteName[]>();
  for (const [name, route] of Object.entries(routes) as Array<[RouteName, RouteSpec]>) {
    if (!include(route) || !handlers[name]) continue;
    byPath.set(route.path, [...(byPath.get(route.path) ?? []), name]);
  }
  const router = Router();
  for (const [path, names] of byPath) {
    const chain = router.route(path);
    for (const name of names) {
      const route: RouteSpec = routes[name];
      chain[route.method === 'DELETE' ? 'delete' : (route.method.toLowerCase() as 'get' | 'post' | 'put')](adapt(route, handlers[name] as AnyHandler));
    }
    chain.all(methodNotAllowed(METHOD_ORDER.filter((method) => names.some((name) => routes[name].method === method))));
  }
  return router;
}

/** A handler as express calls it: the path's type checked (404), the query parsed (400), the reply written. */
function adapt(route: RouteSpec, handler: AnyHandler): RequestHandler {
  const typed = route.path.includes(':type');
  const query = route.queryParsedBy === 'handler' ? undefined : route.query;
  return async (req, res) => {
    const type = typed ? jobTypeOf(req) : undefined;
    let parsed: unknown;
    if (query) {
      const result = query.safeParse(req.query);
      if (!result.success) throw invalidQuery(result.error.issues);
      parsed = result.data;
    }
    const reply = (await handler({ req, res, type, query: parsed })) as AnyReply | undefined;
    if (route.raw || !reply || res.destroyed) return;
    if (reply.location) res.location(reply.location);
    res.status(reply.status).json(reply.body);
  };
}
