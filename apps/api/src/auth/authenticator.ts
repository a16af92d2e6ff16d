import { grants, parseApiKey, secretMatches, SCOPES, type ApiKeyRecord, type Scope } from '@floodgate/shared/api-keys';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpError } from '../errors';
import { requiredScope } from './required-scope';

/** Who is calling: an API key, or everyone while auth is disabled. */
export interface Principal {
  /** The key's id, or `anonymous` with auth disabled. Rate limits count per principal. */
  id: string;
  name: string;
  scopes: readonly Scope[];
  /** The key's weight among the tenants of fair types. */
  weight: number;
}

export interface Authenticator {
  /**
   * The caller of a request, checked against the scope its method and path
   * need: undefined for open paths, else the principal, else 401 (no key, or a
   * key that is not ours) or 403 (a good key without the scope).
   */
  authorize(method: string, path: string, headers: IncomingHttpHeaders): Principal | undefined;
}

const ANONYMOUS: Principal = { id: 'anonymous', name: 'auth disabled', scopes: SCOPES, weight: 1 };

/** Key records by id, as the authenticator looks them up. */
export function keysById(records: readonly ApiKeyRecord[]): Map<string, ApiKeyRecord> {
  return new Map(records.map((record) => [record.id, record]));
}

/** Checks API keys (`Authorization: Bearer <key>` or `X-API-Key: <key>`) against their stored hashes. */
export function createAuthenticator(options: { keys: ReadonlyMap<string, ApiKeyRecord>; disabled: boolean }): Authenticator {
  const byId = options.keys;
  const authenticate = (headers: IncomingHttpHeaders): Principal => {
    if (options.disabled) return ANONYMOUS;
    const presented = keyOf(headers);
    if (presented === undefined) throw unauthorized('An API key is required: send "Authorization: Bearer <key>".');
    const parts = parseApiKey(presented);
    const record = parts ? byId.get(parts.id) : undefined;
    // One answer for a malformed key, an unknown id and a wrong secret: which one it was helps only an attacker.
    if (!parts || !record || !secretMatches(record, parts.secret)) throw unauthorized('The API key is not valid.');
    return { id: record.id, name: record.name, scopes: record.scopes, weight: record.weight ?? 1 };
  };
  return {
    authorize(method, path, headers) {
      const required = requiredScope(method, path);
      if (required === 'open') return undefined;
      const principal = authenticate(headers);
      if (!grants(principal.scopes, required)) {
        throw new HttpError('forbidden', `This API key lacks the "${required}" scope this request needs.`, {
          details: { required, held: principal.scopes },
        });
      }
      return principal;
    },
  };
}

function keyOf(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return bearer ? bearer[1] : authorization;
  }
  const header = headers['x-api-key'];
  return typeof header === 'string' ? header : undefined;
}

function unauthorized(message: string): HttpError {
  return new HttpError('unauthorized', message, { headers: { 'WWW-Authenticate': 'Bearer realm="floodgate"' } });
}
