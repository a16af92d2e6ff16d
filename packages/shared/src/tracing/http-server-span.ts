import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SpanAttributes } from './spans';

export interface TraceRequestsOptions {
  /** The matched route template (`/v1/jobs/:type`), known once answered; names the span. */
  routeOf(req: IncomingMessage): string | undefined;
}

/**
 * Wraps an HTTP listener so each request is a SERVER span, the root of its
 * job's trace (or the child of the caller's, given a W3C `traceparent`).
 * Installed only while tracing is on: off, the listener is used bare.
 */
export function traceRequests(listener: RequestListener, options: TraceRequestsOptions): RequestListener {
  const tracer = trace.getTracer('floodgate');
  return (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(
      method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': (req.url ?? '/').split('?', 1)[0] } },
      parent,
    );
    const ctx = trace.setSpan(parent, span);
    // Body and socket events fire from the connection's async context, not this
    // request's; bound emitters run their listeners in the request's span.
    context.bind(ctx, req);
    context.bind(ctx, res);
    res.once('close', () => {
      const route = options.routeOf(req);
      if (route !== undefined) {
        span.updateName(`${method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      const requestId = res.getHeader('x-request-id');
      if (typeof requestId === 'string') span.setAttribute(SpanAttributes.requestId, requestId);
      if (res.statusCode >= 500 || !res.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(ctx, () => listener(req, res));
  };
}
