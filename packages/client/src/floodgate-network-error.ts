/**
 * No answer from floodgate that the client can read: the connection failed
 * (refused, reset, DNS), the request timed out, or something in between (a
 * proxy, a load balancer) answered with a body that is not floodgate's JSON.
 * Unlike a {@link FloodgateApiError}, the request may or may not have reached
 * the API. Thrown once the client's own retries (when the call allows them) ran out.
 */
export class FloodgateNetworkError extends Error {
  override readonly name = 'FloodgateNetworkError';
  readonly method: string;
  readonly url: string;
  /** The system's code for a failed connection (`ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`, `UND_ERR_SOCKET`, ...), when it gave one. */
  readonly code: string | undefined;
  /** True when the client's own request timeout ran out. */
  readonly timedOut: boolean;
  /** The HTTP status, when an answer came but was not floodgate's (e.g. a proxy's 502 page). */
  readonly status: number | undefined;
  /** The start of that unreadable answer's body, for the log. */
  readonly body: string | undefined;

  constructor(
    message: string,
    init: {
      method: string;
      url: string;
      cause?: unknown;
      code?: string | undefined;
      timedOut?: boolean;
      status?: number | undefined;
      body?: string | undefined;
    },
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.method = init.method;
    this.url = init.url;
    this.code = init.code;
    this.timedOut = init.timedOut ?? false;
    this.status = init.status;
    this.body = init.body;
  }
}
