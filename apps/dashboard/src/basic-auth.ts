import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from '@floodgate/shared/logger';
import type { RequestHandler } from 'express';
import type { Credentials } from './credentials';

/** What a client without valid credentials is told, as a header browsers answer with a login prompt. */
export const WWW_AUTHENTICATE = 'Basic realm="floodgate", charset="UTF-8"';

export interface BasicAuthOptions {
  /** Receives one line per request that sent wrong credentials (not per missing ones: every browser starts so). */
  logger?: Logger;
}

/**
 * HTTP basic auth in front of everything mounted after it. User and password
 * are compared as SHA-256 digests with `timingSafeEqual`: the digests always
 * have the same length, so neither the secret's content nor its length leaks
 * through response timing, and both are compared even when the user is wrong.
 */
export function basicAuth(credentials: Pick<Credentials, 'user' | 'password'>, options: BasicAuthOptions = {}): RequestHandler {
  const expectedUser = digest(credentials.user);
  const expectedPassword = digest(credentials.password);
  return (req, res, next) => {
    const given = parseBasicAuthorization(req.get('authorization'));
    if (given) {
      const userMatches = timingSafeEqual(digest(given.user), expectedUser);
      const passwordMatches = timingSafeEqual(digest(given.password), expectedPassword);
      if (userMatches && passwordMatches) {
        next();
        return;
      }
      // Not the user it sent: people paste the password into the wrong field.
      options.logger?.warn({ method: req.method, path: req.path, ip: req.ip }, 'dashboard login failed');
    }
    res
      .status(401)
      .set('WWW-Authenticate', WWW_AUTHENTICATE)
      .json({ error: { code: 'unauthorized', message: 'The dashboard needs a user and password (HTTP basic auth).' } });
  };
}

/**
 * User and password from a `Basic` authorization header (RFC 7617), or
 * undefined when there is none or it is malformed. The password may contain
 * colons; the user may not.
 */
export function parseBasicAuthorization(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
