import type { RequestHandler } from 'express';
import type { Authenticator, Principal } from './authenticator';

/** Express middleware: every request past it is authorized for its method and path (or open). */
export function requireAuth(auth: Authenticator): RequestHandler {
  return (req, res, next) => {
    const principal = auth.authorize(req.method, req.path, req.headers);
    if (principal) res.locals.principal = principal;
    next();
  };
}

/** The caller rate limits count against: its API key, else (auth disabled, open paths) its address. */
export function rateLimitClient(principal: Principal | undefined, address: string | undefined): string {
  return principal && principal.id !== 'anonymous' ? `key:${principal.id}` : `ip:${address ?? 'unknown'}`;
}
