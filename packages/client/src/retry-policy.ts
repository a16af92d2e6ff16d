import { FloodgateApiError } from './floodgate-api-error.js';
import { FloodgateNetworkError } from './floodgate-network-error.js';
import type { Resend } from './http-transport.js';

/** First back-off window: a resend waits a random time up to this, then up to twice as long, and so on. */
export const INITIAL_RETRY_DELAY_MS = 500;
/** Largest back-off window. */
export const MAX_RETRY_DELAY_MS = 8_000;
/**
 * A `Retry-After` longer than this is not waited for: the call fails at once
 * with the error (its `retryAfterSeconds` says when to come back), rather than
 * hanging the caller for minutes.
 */
export const MAX_RETRY_AFTER_SECONDS = 60;

/** Statuses another try may cure: timeout, too many requests, and the server side's own troubles. */
const RETRIED_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Connection failures before the request was sent: nothing reached the API,
 * so even a request that must not run twice is resent.
 */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Whether `err`, one attempt's failure, is worth another: one that may pass ({@link RETRIED_STATUSES}, a failed
 * connection, a timeout) and, for a request that must not run twice, only when the API surely did nothing. Other 4xx
 * (every 409 included) say what is wrong with the request itself, so are never resent.
 */
export function isWorthRetrying(err: unknown, resend: Resend): boolean {
  if (err instanceof FloodgateApiError) {
    if (!RETRIED_STATUSES.has(err.status)) return false;
    if (err.retryAfterSeconds !== undefined && err.retryAfterSeconds > MAX_RETRY_AFTER_SECONDS) return false;
    return resend === 'safe' || resend.refusals.has(err.code);
  }
  if (err instanceof FloodgateNetworkError) {
    if (err.code !== undefined && NEVER_SENT.has(err.code)) return true;
    if (resend !== 'safe') return false;
    // A proxy's own answer (a 502 page) or a failed or timed-out connection; a proxy's 4xx is final.
    return err.status === undefined || RETRIED_STATUSES.has(err.status);
  }
  // The caller's abort reason, or a bug: not ours to retry.
  return false;
}

/**
 * How long to wait before resend number `retry` (0 for the first): the API's
 * `Retry-After` when it gave one, never less, plus a random share of the
 * back-off window so that clients refused together do not all come back in
 * the same instant ("full jitter": anywhere from 0 to the window, the window
 * doubling each time up to {@link MAX_RETRY_DELAY_MS}).
 */
export function retryDelayMs(retry: number, retryAfterSeconds: number | undefined, random: () => number = Math.random): number {
  const window = Math.min(MAX_RETRY_DELAY_MS, INITIAL_RETRY_DELAY_MS * 2 ** retry);
  return (retryAfterSeconds ?? 0) * 1_000 + Math.floor(random() * window);
}

/** The `Retry-After` an API error carried, in seconds. */
export function retryAfterOf(err: unknown): number | undefined {
  return err instanceof FloodgateApiError ? err.retryAfterSeconds : undefined;
}
