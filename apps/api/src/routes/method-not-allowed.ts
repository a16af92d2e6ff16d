import type { RequestHandler } from 'express';
import { HttpError } from '../errors';

/** 405 for a known path asked with a method it does not serve, naming the ones it does. */
export function methodNotAllowed(allowed: string[]): RequestHandler {
  return (req) => {
    throw new HttpError('method_not_allowed', `${req.method} is not allowed here; use ${allowed.join(' or ')}.`, {
      headers: { Allow: allowed.join(', ') },
    });
  };
}
