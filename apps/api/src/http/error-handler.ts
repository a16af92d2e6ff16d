import type { ApiErrorCode } from '@floodgate/shared/errors';
import type { Logger } from '@floodgate/shared/logger';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HttpError, isRedisConnectionError, isRedisOutOfMemory, redisMemoryHigh, redisUnavailable } from '../errors';
import type { HttpMetrics } from '../metrics/http-metrics';

/** JSON 404 for any path no router claimed. */
export const notFound: RequestHandler = (req) => {
  throw new HttpError('route_not_found', `No route for ${req.method} ${req.path}. See GET /v1/job-types.`);
};

/**
 * The one place errors become responses: `{"error":{"code","message","details"}}`
 * with the right status. Unknown errors are logged in full and answered with a
 * generic 500: no stack trace ever reaches a client.
 */
export function errorHandler(logger: Logger, metrics: HttpMetrics): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const httpError = settleError(err, req.path, res.locals.logger ?? logger, metrics);
    if (res.headersSent) {
      // Too late for a clean answer: end the response rather than leave it hanging.
      res.destroy();
      return;
    }
    res.status(httpError.status).set(httpError.headers).type('application/json').send(errorBody(httpError));
  };
}

/**
 * What an error answers with, after its side effects: a bug is logged in
 * full, and work turned away (429, 503) on the /v1 routes is counted (not a
 * failing readiness probe).
 */
export function settleError(err: unknown, path: string, log: Logger, metrics: HttpMetrics): HttpError {
  const httpError = toHttpError(err);
  if ((httpError.status === 429 || httpError.status === 503) && path.startsWith('/v1/')) {
    metrics.rejections.inc({ reason: httpError.code });
  }
  if (httpError.status >= 500 && httpError.code === 'internal_error') log.error({ err }, 'unhandled error');
  return httpError;
}

/** The JSON body of an error answer. */
export function errorBody({ code, message, details }: HttpError): string {
  return JSON.stringify({ error: details === undefined ? { code, message } : { code, message, details } });
}

/** body-parser error types, mapped to our codes. */
const bodyParserErrors: Record<string, ApiErrorCode> = {
  'entity.parse.failed': 'invalid_json',
  'entity.too.large': 'body_too_large',
  'encoding.unsupported': 'unsupported_encoding',
  'charset.unsupported': 'unsupported_charset',
  'request.aborted': 'request_aborted',
  'request.size.invalid': 'invalid_content_length',
};

/** Any error as the HttpError it answers with (a bug: a generic 500). */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (isRedisConnectionError(err)) return redisUnavailable(err);
  // The memory guard samples Redis every 100 ms (start-admission.ts); a burst can still reach maxmemory between two samples.
  if (isRedisOutOfMemory(err)) return redisMemoryHigh();
  const bodyError = err as { type?: unknown; status?: unknown; limit?: unknown; message?: unknown };
  if (typeof bodyError.type === 'string') {
    const known = bodyParserErrors[bodyError.type];
    if (known === 'body_too_large') {
      return new HttpError(known, `The body is larger than the limit of ${String(bodyError.limit)} bytes.`);
    }
    if (known === 'invalid_json') {
      return new HttpError(known, `The body is not valid JSON: ${String(bodyError.message)}`);
    }
    if (known) return new HttpError(known, String(bodyError.message));
  }
  if (typeof bodyError.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) {
    return new HttpError('bad_request', 'The request could not be read.');
  }
  return new HttpError('internal_error', 'Something went wrong on our side; it has been logged.');
}
