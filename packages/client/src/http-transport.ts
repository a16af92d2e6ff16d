import type { ErrorBody } from '@floodgate/shared/wire';
import { FloodgateApiError } from './floodgate-api-error';
import { FloodgateNetworkError } from './floodgate-network-error';
import { parseRetryAfter } from './retry-after';

/** How much of an unreadable body an error keeps: enough to recognise a proxy's error page. */
const BODY_EXCERPT_CHARS = 500;

export interface TransportSettings {
  /** Without a trailing slash; paths are appended as they are. */
  baseUrl: string;
  fetch: typeof fetch;
  /** Sent with every request (accept, authorization, the caller's own). */
  headers: Headers;
  timeoutMs: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** From the API's root, query included: `/v1/jobs/sentiment?wait=5`. */
  path: string;
  /** Sent as JSON when defined. */
  json?: unknown;
  headers?: Record<string, string>;
  /** Seconds the API may hold the answer (`?wait=`): added to the timeout, or every long wait would time out. */
  waitSeconds?: number;
  signal?: AbortSignal | undefined;
}

/** A 2xx answer with its JSON body. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/**
 * One request to the API. Resolves with a 2xx answer; otherwise throws a
 * FloodgateApiError (the API said no), a FloodgateNetworkError (no readable
 * answer), or the caller's abort reason when the caller's signal aborted.
 */
export async function send(settings: TransportSettings, request: HttpRequest): Promise<HttpAnswer> {
  const url = `${settings.baseUrl}${request.path}`;
  const timeoutMs = settings.timeoutMs + (request.waitSeconds ?? 0) * 1_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  const headers = new Headers(settings.headers);
  if (request.json !== undefined) headers.set('content-type', 'application/json');
  for (const [name, value] of Object.entries(request.headers ?? {})) headers.set(name, value);
  // Called unbound: a browser's own fetch throws "Illegal invocation" when its `this` is not the window.
  const fetchFn = settings.fetch;

  let response: Response;
  let text: string;
  try {
    response = await fetchFn(url, {
      method: request.method,
      headers,
      body: request.json === undefined ? undefined : JSON.stringify(request.json),
      signal,
    });
    // Read inside the try: the connection can fail or time out mid-body too.
    text = await response.text();
  } catch (err) {
    // The caller cancelled: theirs to handle, exactly as fetch would report it.
    if (request.signal?.aborted) throw request.signal.reason;
    const where = `${request.method} ${url}`;
    if (timeout.aborted) {
      throw new FloodgateNetworkError(`${where}: no answer within ${timeoutMs} ms`, { method: request.method, url, cause: err, timedOut: true });
    }
    throw new FloodgateNetworkError(`${where} failed: ${describeFetchFailure(err)}`, { method: request.method, url, cause: err });
  }

  const json = parseJson(text);
  const requestId = response.headers.get('x-request-id') ?? undefined;
  if (!response.ok) {
    const error = json.ok ? apiErrorOf(json.value) : undefined;
    if (!error) throw unreadable(request.method, url, response, text, 'an error that is not floodgate JSON', json.ok ? undefined : json.error);
    throw new FloodgateApiError({
      status: response.status,
      code: error.code,
      message: error.message,
      details: error.details,
      retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')),
      requestId,
    });
  }
  if (!json.ok) throw unreadable(request.method, url, response, text, 'a body that is not JSON', json.error);
  return { status: response.status, headers: response.headers, body: json.value };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The `error` of floodgate's error body, or undefined when the JSON is someone else's. */
function apiErrorOf(body: unknown): ErrorBody['error'] | undefined {
  const error = (body as { error?: unknown } | null)?.error as Partial<ErrorBody['error']> | undefined;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string') return undefined;
  return error as ErrorBody['error'];
}

function unreadable(method: string, url: string, response: Response, text: string, what: string, cause: unknown): FloodgateNetworkError {
  const type = response.headers.get('content-type') ?? 'no content type';
  return new FloodgateNetworkError(`${method} ${url} answered ${response.status} with ${what} (${type})`, {
    method,
    url,
    cause,
    status: response.status,
    body: text.slice(0, BODY_EXCERPT_CHARS),
  });
}

/** Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, ...) is in its cause. */
function describeFetchFailure(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}
