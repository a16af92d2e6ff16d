import type { IncomingMessage } from 'node:http';
import type { RequestHandler, Response } from 'express';
import type { Account } from './credentials';
import { readCookie, sessionCookieName, type Session, type SessionCodec } from './session';

/** Where Bull Board is served. */
export const BOARD_PATH = '/admin/queues';
/** Bull Board's JSON API: answered 401, not redirected, when signed out. */
export const BOARD_API_PATH = `${BOARD_PATH}/api`;
export const LOGIN_PATH = '/login';
/** The overview page (overview/overview-routes.ts), and its JSON API. */
export const OVERVIEW_PATH = '/admin/overview';
const OVERVIEW_API_PATH = `${OVERVIEW_PATH}/api`;

export interface SessionDeps {
  codec: SessionCodec;
  accounts: readonly Account[];
  /** Secure cookies, which also changes the cookie's name (`__Host-`). */
  secure: boolean;
}

/**
 * The signed-in session of `req`, or undefined: no cookie, a bad or expired
 * one, a logged-out one, or one for an account that no longer exists as it
 * was (a renamed user or a user whose role changed is signed out).
 */
export function readSession(req: IncomingMessage, deps: SessionDeps): Session | undefined {
  const session = deps.codec.verify(readCookie(req, sessionCookieName(deps.secure)));
  if (!session) return undefined;
  return deps.accounts.some((account) => account.user === session.user && account.role === session.role) ? session : undefined;
}

/** The session {@link requireSession} found for this request. */
export function sessionOf(res: Response): Session | undefined {
  return res.locals.session as Session | undefined;
}

/**
 * Lets signed-in requests through (with their session in `res.locals.session`)
 * and turns the others away: a page request is redirected to the login form,
 * which brings the person back afterwards; an API call or any other method gets
 * 401 JSON, which a script can act on (a redirect to an HTML form it cannot).
 */
export function requireSession(deps: SessionDeps): RequestHandler {
  return (req, res, next) => {
    const session = readSession(req, deps);
    if (session) {
      res.locals.session = session;
      // Queue and job data are not for shared caches, nor for the back button after a logout.
      if (!req.path.startsWith(`${BOARD_PATH}/static/`)) res.set('Cache-Control', 'no-store');
      next();
      return;
    }
    const api = [BOARD_API_PATH, OVERVIEW_API_PATH].some((path) => req.path === path || req.path.startsWith(`${path}/`));
    if (api || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.status(401).json({ error: { code: 'unauthorized', message: `Sign in first (POST ${LOGIN_PATH}); the session cookie is missing, expired or invalid.` } });
      return;
    }
    const back = safeNext(req.originalUrl);
    res.redirect(302, back === BOARD_PATH ? LOGIN_PATH : `${LOGIN_PATH}?next=${encodeURIComponent(back)}`);
  };
}

/**
 * The second lock on read-only access, in front of both boards: a viewer's request
 * with any method but GET/HEAD is answered 403 before Bull Board sees it. Why a
 * second lock beside Bull Board's `readOnlyMode`: apps/dashboard/README.md, "Roles".
 */
export function viewerIsReadOnly(): RequestHandler {
  return (req, res, next) => {
    if (sessionOf(res)?.role === 'admin' || req.method === 'GET' || req.method === 'HEAD') {
      next();
      return;
    }
    res.status(403).json({ error: { code: 'forbidden', message: 'Viewers can look but not change anything; sign in as an admin to do that.' } });
  };
}

/**
 * Where to send someone after they sign in: `candidate` when it is a path on
 * the board (`/admin/queues`, `/admin/queues/…`, with a query) or the overview, else the
 * board itself. Never another host (`//evil.example`, `/\evil.example`), so
 * the login form cannot be used as an open redirect.
 */
export function safeNext(candidate: unknown): string {
  if (typeof candidate !== 'string' || candidate.length > 2048) return BOARD_PATH;
  // Printable ASCII without backslash (browsers read it as a slash).
  if (!/^[\x21-\x5b\x5d-\x7e]+$/.test(candidate) || candidate.includes('//')) return BOARD_PATH;
  const under = (root: string) => candidate === root || candidate.startsWith(`${root}/`) || candidate.startsWith(`${root}?`);
  if (!under(BOARD_PATH) && !under(OVERVIEW_PATH)) return BOARD_PATH;
  // No climbing out of the board with dot segments (URL parsers read %2e as a dot too).
  const path = (candidate.split('?')[0] ?? '').replace(/%2e/gi, '.');
  if (/(^|\/)\.\.?(\/|$)/.test(path)) return BOARD_PATH;
  return candidate;
}
