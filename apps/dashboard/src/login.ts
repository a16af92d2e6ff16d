import type { Logger } from '@floodgate/shared/logger';
import express, { type Request, type Response, type Router } from 'express';
import { BOARD_PATH, LOGIN_PATH, readSession, safeNext, type SessionDeps } from './auth';
import { authenticate } from './credentials';
import type { LoginThrottle } from './login-throttle';
import { sessionCookie } from './session';

export const LOGOUT_PATH = '/logout';
export const LOGIN_CSS_PATH = '/login.css';

export interface LoginDeps extends SessionDeps {
  throttle: LoginThrottle;
  logger: Logger;
}

/**
 * The login form and the logout, outside the session check: `GET`/`POST /login` (303 to `next` with the cookie, 401, or
 * 429 while the address is throttled) and `GET`/`POST /logout` (the GET only asks: Bull Board's header links to it).
 * Both POSTs pass the CSRF check first (csrf.ts).
 */
export function loginRoutes(deps: LoginDeps): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });

  router.get(LOGIN_CSS_PATH, (_req, res) => {
    res.type('text/css').set('Cache-Control', 'public, max-age=3600').send(LOGIN_CSS);
  });

  router.get(LOGIN_PATH, (req, res) => {
    const next = safeNext(req.query.next);
    if (readSession(req, deps)) {
      res.redirect(303, next);
      return;
    }
    const notice = req.query.signedOut === '1' ? { kind: 'info' as const, text: 'You are signed out.' } : undefined;
    sendPage(res, 200, loginPage({ next, user: '', notice }));
  });

  router.post(LOGIN_PATH, form, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const user = typeof body.user === 'string' ? body.user : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const next = safeNext(body.next);
    const ip = clientAddress(req);

    const waitMs = deps.throttle.retryAfterMs(ip);
    if (waitMs > 0) {
      // Refused without looking at the password: a throttled guess must teach nothing.
      const seconds = Math.ceil(waitMs / 1000);
      deps.logger.warn({ ip, retryAfterSeconds: seconds }, 'dashboard login refused: too many failed logins from this address');
      res.set('Retry-After', String(seconds));
      sendPage(res, 429, loginPage({ next, user, notice: { kind: 'error', text: `Too many failed logins. Try again in ${seconds} s.` } }));
      return;
    }
    if (user === '' || password === '') {
      sendPage(res, 400, loginPage({ next, user, notice: { kind: 'error', text: 'Enter a user and a password.' } }));
      return;
    }

    const account = authenticate(deps.accounts, user, password);
    if (!account) {
      const retryAfterMs = deps.throttle.fail(ip);
      // Never the password, and not the user name either: people type passwords into it.
      // Whether it named an existing user tells an operator "typo" from "someone guessing".
      const knownUser = deps.accounts.some((candidate) => candidate.user === user);
      deps.logger.warn({ ip, knownUser, failures: deps.throttle.failures(ip), retryAfterMs }, 'dashboard login failed');
      sendPage(res, 401, loginPage({ next, user, notice: { kind: 'error', text: 'Wrong user or password.' } }));
      return;
    }

    const { token, session } = deps.codec.issue(account.user, account.role);
    res.append('Set-Cookie', sessionCookie(token, { secure: deps.secure, maxAgeMs: deps.codec.lifetimeMs }));
    deps.logger.info({ ip, user: account.user, role: account.role, expiresAt: new Date(session.expiresAt).toISOString() }, 'dashboard login');
    res.set('Cache-Control', 'no-store').redirect(303, next);
  });

  router.get(LOGOUT_PATH, (req, res) => {
    const session = readSession(req, deps);
    if (!session) {
      res.redirect(303, LOGIN_PATH);
      return;
    }
    sendPage(res, 200, logoutPage(session.user, session.role));
  });

  router.post(LOGOUT_PATH, (req, res) => {
    const session = readSession(req, deps);
    if (session) {
      deps.codec.revoke(session);
      deps.logger.info({ ip: clientAddress(req), user: session.user, role: session.role }, 'dashboard logout');
    }
    res.append('Set-Cookie', sessionCookie(undefined, { secure: deps.secure, maxAgeMs: 0 }));
    res.set('Cache-Control', 'no-store').redirect(303, `${LOGIN_PATH}?signedOut=1`);
  });

  return router;
}

/** The client's address: the peer's, or the one a trusted proxy names (TRUST_PROXY, express's `trust proxy`). */
function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

function sendPage(res: Response, status: number, html: string): void {
  res.status(status).type('html').set('Cache-Control', 'no-store').send(html);
}

interface Notice {
  kind: 'error' | 'info';
  text: string;
}

function loginPage(options: { next: string; user: string; notice: Notice | undefined }): string {
  const notice = options.notice ? `<p class="notice ${options.notice.kind}" role="alert">${escapeHtml(options.notice.text)}</p>` : '';
  return page(
    'Sign in',
    `${notice}
    <form method="post" action="${LOGIN_PATH}">
      <input type="hidden" name="next" value="${escapeHtml(options.next)}">
      <label for="user">User</label>
      <input id="user" name="user" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus value="${escapeHtml(options.user)}">
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
      <button type="submit">Sign in</button>
    </form>
    <p class="hint">Admins can retry, clean and remove jobs; viewers can look at everything but change nothing.</p>`,
  );
}

function logoutPage(user: string, role: string): string {
  return page(
    'Sign out',
    `<p>Signed in as <strong>${escapeHtml(user)}</strong> (${escapeHtml(role)}).</p>
    <form method="post" action="${LOGOUT_PATH}">
      <button type="submit">Sign out</button>
    </form>
    <p class="hint"><a href="${BOARD_PATH}">Back to the queues</a></p>`,
  );
}

function page(title: string, content: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>${escapeHtml(title)} · floodgate</title>
  <link rel="stylesheet" href="${LOGIN_CSS_PATH}">
</head>
<body>
  <main>
    <h1>floodgate</h1>
    <p class="subtitle">${escapeHtml(title)} to the queue dashboard</p>
    ${content}
  </main>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const LOGIN_CSS = `:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f1f3f6; color: #1d2430; }
main { width: min(22rem, 90vw); padding: 2rem; background: #fff; border-radius: 0.5rem; box-shadow: 0 1px 4px rgb(0 0 0 / 0.15); }
h1 { margin: 0; font-size: 1.5rem; }
.subtitle { margin: 0.25rem 0 1.5rem; color: #5c6778; }
form { display: grid; gap: 0.5rem; }
label { font-weight: 600; font-size: 0.9rem; }
input { font: inherit; padding: 0.5rem; border: 1px solid #b8c0cc; border-radius: 0.25rem; }
button { margin-top: 0.75rem; font: inherit; font-weight: 600; padding: 0.6rem; border: 0; border-radius: 0.25rem; background: #2456c7; color: #fff; cursor: pointer; }
button:hover, button:focus-visible { background: #1b449f; }
.notice { padding: 0.6rem 0.75rem; border-radius: 0.25rem; }
.notice.error { background: #fde8e8; color: #8a1c1c; }
.notice.info { background: #e6f0ff; color: #183f86; }
.hint { margin: 1.25rem 0 0; font-size: 0.85rem; color: #5c6778; }
@media (prefers-color-scheme: dark) {
  body { background: #151a21; color: #e3e7ee; }
  main { background: #1f2630; }
  .subtitle, .hint { color: #9aa5b5; }
  input { background: #151a21; color: inherit; border-color: #3a4452; }
}
`;
