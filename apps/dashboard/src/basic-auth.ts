import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Credentials } from './credentials';

/**
 * HTTP basic auth in front of everything it is mounted on. The comparison runs
 * over SHA-256 digests with `timingSafeEqual`, so neither the content nor the
 * length of the secret leaks through response timing.
 */
export function basicAuth(credentials: Pick<Credentials, 'user' | 'password'>): RequestHandler {
  const expected = digest(`${credentials.user}:${credentials.password}`);
  return (req, res, next) => {
    const given = parseBasic(req.get('authorization'));
    if (given !== undefined && timingSafeEqual(digest(given), expected)) {
      next();
      return;
    }
    res
      .status(401)
      .set('WWW-Authenticate', 'Basic realm="floodgate", charset="UTF-8"')
      .json({ error: { code: 'unauthorized', message: 'The dashboard needs a user and password (HTTP basic auth).' } });
  };
}

/** `user:password` from a Basic authorization header, or undefined. */
function parseBasic(header: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  return match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : undefined;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
