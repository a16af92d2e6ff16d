import type { JobType } from '@floodgate/shared/jobs';
import type { Reply, RouteName, Routes, RouteSpec } from '@floodgate/shared/wire';
import type { Request, Response } from 'express';
import type { z } from 'zod';


/** What a handler is given: the request, its checked `:type` (routes under one) and its parsed query. */
export interface RouteContext<R extends RouteSpec> {
  req: Request;
  res: Response;
  type: R['path'] extends `${string}:type${string}` ? JobType : undefined;
  query: R extends { queryParsedBy: 'handler' } ? undefined : R['query'] extends z.ZodObject ? z.output<R['query']> : undefined;
}

/** A route's handler: a typed reply, or for `raw` routes nothing (it wrote its own answer). */
export type RouteHandler<R extends RouteSpec> = (context: RouteContext<R>) => R extends { raw: true } ? void | Promise<void> : Reply<R> | Promise<Reply<R>>;

/** One handler per route of the table: a route without one, or one without a route, does not compile. */
export type RouteHandlers = { [N in RouteName]: RouteHandler<Routes[N]> };

/** The handlers of some routes, as each router module provides them. */
export type HandlersOf<N extends RouteName> = Pick<RouteHandlers, N>;
