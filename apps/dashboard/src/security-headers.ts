import type { RequestHandler } from 'express';
import helmet from 'helmet';

type Directives = Record<string, string[]>;

/**
 * The Content-Security-Policy of everything but Bull Board: the login and
 * logout pages (a form and a stylesheet, no script at all) and JSON answers.
 */
export const STRICT_CSP: Directives = {
  'default-src': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'"],
  'form-action': ["'self'"],
  'base-uri': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/**
 * The policy of Bull Board's pages, read from @bull-board/ui 9.10.1
 * (`dist/index.ejs` and its bundles) and checked in Chromium by collecting
 * `securitypolicyviolation` events (dashboard.browser.test.ts keeps checking):
 *
 * - scripts: only its own bundles (`static/js/*.js`, `defer` tags) and one
 *   same-origin web worker (syntax highlighting). The page carries its
 *   settings in `<script type="application/json">`, a data block that is
 *   never executed, so neither inline script nor `'unsafe-eval'` is needed.
 * - styles: `'self'` plus `'unsafe-inline'`, the one relaxation. Without it
 *   the job-data editor (CodeMirror, in the add and edit dialogs) loses all
 *   its styling: it writes its rules into `<style>` elements it creates at
 *   run time, and Bull Board gives it no nonce to put on them. The Redis icon
 *   (an SVG with a `<style>` inside) and the loading placeholder (`style`
 *   attributes, a `<style>` block) need it too. Inline CSS cannot run code;
 *   scripts stay strict, and so do the login pages (STRICT_CSP).
 * - fonts: the page links IBM Plex from fonts.googleapis.com; that is refused
 *   on purpose (no third-party requests from an admin tool; one console error
 *   per page load) and the UI falls back to the system's fonts.
 * - API calls (`connect-src`), images, workers: same origin only.
 */
export const BOARD_CSP: Directives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'"],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'worker-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/**
 * The overview page's policy: {@link STRICT_CSP} plus its own scripts (the
 * page's and uPlot's, both files served from here) and its own JSON. No
 * inline script or style: uPlot sizes its elements through the DOM, which a
 * CSP does not restrict.
 */
export const OVERVIEW_CSP: Directives = {
  ...STRICT_CSP,
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'connect-src': ["'self'"],
};

export interface SecurityHeadersOptions {
  /** Served over HTTPS (DASHBOARD_SECURE_COOKIES): adds HSTS and upgrade-insecure-requests. */
  secure: boolean;
}

function withTransport(directives: Directives, secure: boolean): Directives {
  // Over plain HTTP (the default, on 127.0.0.1) upgrading requests to HTTPS would break the page.
  return secure ? { ...directives, 'upgrade-insecure-requests': [] } : directives;
}

/**
 * helmet on every response, with {@link STRICT_CSP}. Deviations from helmet's
 * defaults, each on purpose:
 *
 * - `Referrer-Policy: same-origin` instead of `no-referrer`: under no-referrer
 *   browsers send `Origin: null` with the page's own POST/PUT requests, and the
 *   CSRF check needs the real origin. same-origin still sends nothing to other sites.
 * - `X-Frame-Options: DENY` and `frame-ancestors 'none'`: nothing frames the dashboard.
 * - HSTS only when the dashboard is served over HTTPS.
 */
export function securityHeaders(options: SecurityHeadersOptions): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: withTransport(STRICT_CSP, options.secure) },
    referrerPolicy: { policy: 'same-origin' },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: options.secure ? { maxAge: 365 * 24 * 60 * 60, includeSubDomains: false } : false,
  }) as RequestHandler;
}

/** Replaces the strict policy with {@link BOARD_CSP} for Bull Board's routes. */
export function boardContentSecurityPolicy(options: SecurityHeadersOptions): RequestHandler {
  return helmet.contentSecurityPolicy({ useDefaults: false, directives: withTransport(BOARD_CSP, options.secure) }) as RequestHandler;
}

/** Replaces the strict policy with {@link OVERVIEW_CSP} for the overview page. */
export function overviewContentSecurityPolicy(options: SecurityHeadersOptions): RequestHandler {
  return helmet.contentSecurityPolicy({ useDefaults: false, directives: withTransport(OVERVIEW_CSP, options.secure) }) as RequestHandler;
}
