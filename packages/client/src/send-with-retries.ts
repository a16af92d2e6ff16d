import { FloodgateApiError, isFloodgateApiError } from './floodgate-api-error.js';
import { sendOnce, type CallSettings, type HttpAnswer, type HttpRequest, type TransportSettings } from './http-transport.js';
import { pause } from './pause.js';
import { isWorthRetrying, retryAfterOf, retryDelayMs } from './retry-policy.js';

/** How a call's answer came. */
export interface Sent {
  answer: HttpAnswer;
  /** Requests sent, the first included. */
  attempts: number;
  /** True when the answer is the lookup's: the job an unknown outcome named exists. */
  foundByLookup: boolean;
}

/**
 * Sends `request`, and again (up to `maxRetries` resends, waiting retryDelayMs) after a failure isWorthRetrying says another
 * try may cure; each attempt has its own timeout, and the caller's signal stops attempts and waits alike. With `lookUp`
 * (enqueues), a 503 `enqueue_outcome_unknown` is settled first by GETting the named job (an attempt): found is the answer,
 * 404 resends at once, anything else resends after the usual wait (the idempotency key makes that safe).
 */
export async function sendWithRetries(
  settings: TransportSettings,
  request: HttpRequest,
  call: CallSettings,
  lookUp?: (unknown: FloodgateApiError) => HttpRequest,
): Promise<Sent> {
  const maxRetries = call.maxRetries ?? settings.maxRetries;
  let next = request;
  /** The `enqueue_outcome_unknown` being settled: what the call throws if retries run out before it is. */
  let unsettled: FloodgateApiError | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      const answer = await sendOnce(settings, next, call);
      return { answer, attempts: attempt + 1, foundByLookup: next !== request };
    } catch (err) {
      let waitMs: number;
      if (next !== request) {
        next = request;
        if (isFloodgateApiError(err, 'job_not_found')) {
          // Settled: nothing was stored, and a 404 is an answer, with nothing to wait out.
          unsettled = undefined;
          waitMs = 0;
        } else {
          waitMs = retryDelayMs(attempt, retryAfterOf(err));
        }
      } else if (lookUp && isFloodgateApiError(err, 'enqueue_outcome_unknown')) {
        unsettled = err;
        next = lookUp(err);
        waitMs = retryDelayMs(attempt, retryAfterOf(err));
      } else if (isWorthRetrying(err, request.resend)) {
        waitMs = retryDelayMs(attempt, retryAfterOf(err));
      } else {
        throw err;
      }
      if (attempt >= maxRetries) throw unsettled ?? err;
      await pause(waitMs, call.signal);
    }
  }
}
