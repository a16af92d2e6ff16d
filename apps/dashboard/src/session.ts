import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Role } from './credentials';

/** A session lasts a working day; then the person logs in again. */
export const SESSION_LIFETIME_MS = 8 * 60 * 60 * 1000;

/** Who a session cookie says is signed in, until when. */
export interface Session {
  user: string;
  role: Role;
  /** Milliseconds since the epoch after which the cookie is refused. */
  expiresAt: number;
  /** Random per login, so a logout can revoke this cookie and no other. */
  id: string;
}

export interface SessionCodecOptions {
  /** @defaultValue {@link SESSION_LIFETIME_MS} */
  lifetimeMs?: number;
}

/**
 * Signs and checks session tokens `v1.<payload>.<mac>` (base64url JSON `{u, r, e, i}`, HMAC-SHA256 with the session
 * secret); nothing is stored server-side. Logouts are remembered in memory (one dashboard process) until the cookie
 * would have expired anyway.
 */
export class SessionCodec {
  readonly lifetimeMs: number;
  readonly #key: Buffer;
  /** Session id → its expiry, for the sessions logged out before they expired. */
  readonly #revoked = new Map<string, number>();

  constructor(secret: string, options: SessionCodecOptions = {}) {
    if (secret.length === 0) throw new Error('the session secret must not be empty');
    this.#key = Buffer.from(secret, 'utf8');
    this.lifetimeMs = options.lifetimeMs ?? SESSION_LIFETIME_MS;
  }

  /** A fresh session for `user` in `role`, and its token, valid from `now` for the lifetime. */
  issue(user: string, role: Role, now = Date.now()): { token: string; session: Session } {
    const session: Session = { user, role, expiresAt: now + this.lifetimeMs, id: randomBytes(12).toString('base64url') };
    return { token: this.sign(session), session };
  }

  /** The token for `session` as given: tests use it to forge expired or foreign sessions with the real key. */
  sign(session: Session): string {
    const payload = Buffer.from(JSON.stringify({ u: session.user, r: session.role, e: session.expiresAt, i: session.id }), 'utf8').toString('base64url');
    return `v1.${payload}.${this.#mac(`v1.${payload}`).toString('base64url')}`;
  }

  /**
   * The session `token` carries, or undefined when it is malformed, signed with
   * another key, altered, expired at `now`, or logged out.
   */
  verify(token: string | undefined, now = Date.now()): Session | undefined {
    const match = /^v1\.([A-Za-z0-9_-]{1,2048})\.([A-Za-z0-9_-]{43})$/.exec(token ?? '');
    if (!match?.[1] || !match[2]) return undefined;
    // Compare the MAC's text, not its decoded bytes (2 spare bits would accept four spellings), in constant time.
    const given = Buffer.from(match[2], 'latin1');
    const expected = Buffer.from(this.#mac(`v1.${match[1]}`).toString('base64url'), 'latin1');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const session = parsePayload(match[1]);
    if (!session || session.expiresAt <= now) return undefined;
    if (this.#revoked.has(session.id)) return undefined;
    return session;
  }

  /** Refuses `session`'s token from now on (logout). */
  revoke(session: Session, now = Date.now()): void {
    for (const [id, expiresAt] of this.#revoked) if (expiresAt <= now) this.#revoked.delete(id);
    if (session.expiresAt > now) this.#revoked.set(session.id, session.expiresAt);
  }

  #mac(data: string): Buffer {
    return createHmac('sha256', this.#key).update(data, 'utf8').digest();
  }
}

function parsePayload(payload: string): Session | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { u, r, e, i } = value as Record<string, unknown>;
  if (typeof u !== 'string' || (r !== 'admin' && r !== 'viewer') || typeof e !== 'number' || !Number.isFinite(e) || typeof i !== 'string') {
    return undefined;
  }
  return { user: u, role: r, expiresAt: e, id: i };
}

/**
 * The session cookie's name. With `Secure`, the `__Host-` prefix makes the
 * browser refuse the cookie unless it is Secure, host-only (no Domain) and
 * Path=/: a sibling subdomain cannot plant or overwrite it.
 */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-floodgate_session' : 'floodgate_session';
}

/**
 * A `Set-Cookie` value for `token`: HttpOnly (no script reads it), SameSite=Strict
 * (no other site's page makes the browser send it), Path=/, Secure when asked.
 * Without a token, one that deletes the cookie.
 */
export function sessionCookie(token: string | undefined, options: { secure: boolean; maxAgeMs: number }): string {
  const maxAge = token === undefined ? 0 : Math.floor(options.maxAgeMs / 1000);
  const attributes = [`${sessionCookieName(options.secure)}=${token ?? ''}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAge}`];
  if (options.secure) attributes.push('Secure');
  return attributes.join('; ');
}

/** The value of cookie `name` in the request's `Cookie` header (the first one, if sent twice). */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
