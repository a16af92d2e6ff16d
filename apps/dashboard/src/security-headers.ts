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
 * The policy of Bull Board's pages: scripts only from its own bundles, inline styles
 * allowed (its job-data editor writes `<style>` elements without a nonce), no
 * third-party fonts. Each directive's reason: apps/dashboard/README.md, "Security headers".
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
 * helmet on every response, with {@link STRICT_CSP}. `Referrer-Policy: same-origin`
 * rather than helmet's `no-referrer`, which makes browsers send `Origin: null` and
 * fail the CSRF check; the other deviations: apps/dashboard/README.md, "Security headers".
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
