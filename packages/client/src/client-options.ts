/** Time one request may take before the client gives up, waits not counted. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export interface FloodgateClientOptions {
  /** The API's root, e.g. `http://127.0.0.1:3000` (a path prefix behind a proxy is kept). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`; only when given (the API does not check keys yet). */
  apiKey?: string;
  /** A fetch of your own (instrumented, proxied); the global one by default. */
  fetch?: typeof fetch;
  /** Sent with every request, e.g. a `user-agent`. */
  headers?: Record<string, string>;
  /**
   * Time one request may take, in milliseconds; a call that waits for a job
   * (`waitSeconds`) gets that many seconds more.
   * @defaultValue {@link DEFAULT_REQUEST_TIMEOUT_MS}
   */
  requestTimeoutMs?: number;
}
