import type { Logger } from '@floodgate/shared/logger';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';

/** Methods that never change anything here; every other one must prove where it comes from. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF protection for every unsafe request (the login and logout forms, Bull Board's
 * JSON API): 403 `csrf_rejected`, before authentication, unless {@link isSameOrigin}.
 * Why Origin/Referer, and the second lock (`SameSite=Strict`): apps/dashboard/README.md, "CSRF".
 */
export function sameOriginGuard(options: { logger?: Logger } = {}): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method) || isSameOrigin(req)) {
      next();
      return;
    }
    options.logger?.warn(
      { method: req.method, path: req.path, ip: req.ip, origin: req.get('origin') ?? null, refererOrigin: originOf(req.get('referer')) },
      'cross-site request refused',
    );
    res.status(403).json({
      error: {
        code: 'csrf_rejected',
        message: 'This request did not come from a page of this dashboard (its Origin or Referer does not match the Host); it was refused.',
      },
    });
  };
}

/** The origin part of a Referer (the path and query may carry more than a log needs), or null. */
function originOf(referer: string | undefined): string | null {
  if (referer === undefined) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return '(malformed)';
  }
}

/**
 * Whether the request's `Origin` (or, lacking one, its `Referer`) names the
 * host the request was sent to. Hosts are compared as URLs parse them, so
 * `HOST:80` and `host` match for http.
 */
export function isSameOrigin(req: Pick<IncomingMessage, 'headers'>): boolean {
  const host = req.headers.host;
  if (!host) return false;
  const origin = req.headers.origin;
  const source = origin ?? req.headers.referer;
  if (source === undefined || source === 'null') return false;
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  try {
    return new URL(`${url.protocol}//${host}`).host === url.host;
  } catch {
    return false;
  }
}
