/** Time one request may take before the client gives up on it, waits not counted. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** Resends after a failure a call may make, when resending is safe. */
export const DEFAULT_MAX_RETRIES = 2;

export interface FloodgateClientOptions {
  /** The API's root, e.g. `http://127.0.0.1:3000` (a path prefix behind a proxy is kept). */
  baseUrl: string;
  /**
   * Your API key, sent as `Authorization: Bearer <apiKey>`. Every `/v1` route
   * needs one (401 `unauthorized` without it), unless the API runs with
   * AUTH_DISABLED; leave it out only then.
   */
  apiKey?: string;
  /** A fetch of your own (instrumented, proxied); the global one by default. */
  fetch?: typeof fetch;
  /** Sent with every request, e.g. a `user-agent`. */
  headers?: Record<string, string>;
  /**
   * Time one request may take, in milliseconds; a call that waits for a job
   * (`waitSeconds`) gets that many seconds more. Each resend gets its own.
   * @defaultValue {@link DEFAULT_REQUEST_TIMEOUT_MS}
   */
  requestTimeoutMs?: number;
  /**
   * How many times a call is sent again after a failure that another try may
   * cure (a connection refused or reset, a timeout, 408, 429, 500, 502, 503,
   * 504), when sending it again cannot do anything twice; 0 turns retries off.
   * Which calls and failures qualify is in the README ("Retries").
   * @defaultValue {@link DEFAULT_MAX_RETRIES}
   */
  maxRetries?: number;
}
