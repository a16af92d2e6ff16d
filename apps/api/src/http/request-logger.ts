import { randomUUID } from 'node:crypto';
import type { Logger } from '@floodgate/shared/logger';
import type { RequestHandler } from 'express';

const SANE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The caller's `x-request-id` when it is sane, else a new UUID (the express and the lean path share it). */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * Gives each request an id (the caller's `x-request-id` when it is sane, else a
 * new UUID), echoes it back, and logs one line when the response is done.
 * The child logger is at `res.locals.logger` for handlers.
 */
export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const reqId = requestIdOf(req.headers['x-request-id']);
    const log = logger.child({ reqId });
    res.locals.logger = log;
    res.setHeader('x-request-id', reqId);
    const startedAt = process.hrtime.bigint();
    res.once('close', () => {
      const durationMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
      const data = { method: req.method, url: req.originalUrl, status: res.statusCode, durationMs };
      if (!res.writableFinished) log.warn(data, 'request aborted by client');
      else if (res.statusCode >= 500) log.error(data, 'request failed');
      else log.info(data, 'request');
    });
    next();
  };
}
