import type { ApiErrorBody } from './answers.js';
import { FloodgateApiError } from './floodgate-api-error.js';
import { FloodgateNetworkError } from './floodgate-network-error.js';
import { parseRetryAfter } from './retry-after.js';

/** How much of an unreadable body an error keeps: enough to recognise a proxy's error page. */
const BODY_EXCERPT_CHARS = 500;

export interface TransportSettings {
  /** Without a trailing slash; paths are appended as they are. */
  baseUrl: string;
  fetch: typeof fetch;
  /** Sent with every request (accept, authorization, the caller's own). */
  headers: Headers;
  timeoutMs: number;
  maxRetries: number;
}

/**
 * When the client may resend a request. `safe` (a read, a PUT, a DELETE, a keyed enqueue, a pause): after any failure
 * another try may cure. `{refusals}` (a bulk without jobIds, a job retry): only when the API surely did nothing, the
 * connection refused or the answer one of `refusals`.
 */
export type Resend = 'safe' | { refusals: ReadonlySet<string> };

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** From the API's root, query included: `/v1/jobs/sentiment?wait=5`. */
  path: string;
  /** Sent as JSON when defined. */
  json?: unknown;
  headers?: Record<string, string>;
  /** Seconds the API may hold the answer (`?wait=`): added to the timeout, or every long wait would time out. */
  waitSeconds?: number;
  resend: Resend;
}

/** One call's own settings, over the client's. */
export interface CallSettings {
  signal?: AbortSignal | undefined;
  requestTimeoutMs?: number | undefined;
  maxRetries?: number | undefined;
}

/** A 2xx answer with its JSON body. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/**
 * One request to the API, once. Resolves with a 2xx answer; otherwise throws a
 * FloodgateApiError (the API said no), a FloodgateNetworkError (no readable
 * answer), or the caller's abort reason when the caller's signal aborted.
 */
export async function sendOnce(settings: TransportSettings, request: HttpRequest, call: CallSettings): Promise<HttpAnswer> {
  const { url, timeoutMs, init, timeout } = prepare(settings, request, call);
  let response: Response;
  let text: string;
  try {
    response = await settings.fetch(url, init);
    // Read inside the try: the connection can fail or time out mid-body too.
    text = await response.text();
  } catch (err) {
    throw failure(err, request, url, call.signal, timeout.signal, timeoutMs);
  } finally {
    timeout.clear();
  }
  const json = parseJson(text);
  if (!response.ok) throw errorAnswer(request.method, url, response, text, json);
  if (!json.ok) throw unreadable(request.method, url, response, text, 'a body that is not JSON', json.error);
  return { status: response.status, headers: response.headers, body: json.value };
}

/**
 * One streaming request (Server-Sent Events), once: resolves with the 200
 * response once its headers came, its body still to read. The request timeout
 * covers the headers only; `signal` ends the stream. Errors as {@link sendOnce}.
 */
export async function openStream(settings: TransportSettings, request: HttpRequest, call: CallSettings & { signal: AbortSignal }): Promise<Response> {
  const { url, timeoutMs, init, timeout } = prepare(settings, request, call);
  init.headers.set('accept', 'text/event-stream');
  let response: Response;
  try {
    response = await settings.fetch(url, init);
  } catch (err) {
    throw failure(err, request, url, call.signal, timeout.signal, timeoutMs);
  } finally {
    timeout.clear();
  }
  if (response.ok && response.body && /^text\/event-stream/i.test(response.headers.get('content-type') ?? '')) return response;
  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    throw failure(err, request, url, call.signal, timeout.signal, timeoutMs);
  }
  if (!response.ok) throw errorAnswer(request.method, url, response, text, parseJson(text));
  throw unreadable(request.method, url, response, text, 'a body that is not an event stream', undefined);
}

/**
 * The URL, the fetch init, and a timeout that can be cleared: a stream must
 * outlive its request timeout once its headers came (AbortSignal.timeout cannot be stopped).
 */
function prepare(settings: TransportSettings, request: HttpRequest, call: CallSettings) {
  const url = `${settings.baseUrl}${request.path}`;
  const timeoutMs = (call.requestTimeoutMs ?? settings.timeoutMs) + (request.waitSeconds ?? 0) * 1_000;
  const timer = new AbortController();
  const handle = setTimeout(() => timer.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, timer.signal]) : timer.signal;
  const headers = new Headers(settings.headers);
  if (request.json !== undefined) headers.set('content-type', 'application/json');
  for (const [name, value] of Object.entries(request.headers ?? {})) headers.set(name, value);
  const init = { method: request.method, headers, body: request.json === undefined ? undefined : JSON.stringify(request.json), signal };
  return { url, timeoutMs, init, timeout: { signal: timer.signal, clear: () => clearTimeout(handle) } };
}

/** What a fetch that threw becomes: the caller's abort reason, a timeout, or a failed connection. */
function failure(err: unknown, request: HttpRequest, url: string, callerSignal: AbortSignal | undefined, timeout: AbortSignal, timeoutMs: number): unknown {
  // The caller cancelled: theirs to handle, exactly as fetch would report it.
  if (callerSignal?.aborted) return callerSignal.reason;
  const where = `${request.method} ${url}`;
  if (timeout.aborted) {
    return new FloodgateNetworkError(`${where}: no answer within ${timeoutMs} ms`, { method: request.method, url, cause: err, timedOut: true });
  }
  const code = systemCodeOf(err);
  return new FloodgateNetworkError(`${where} failed: ${code ?? describe(err)}`, { method: request.method, url, cause: err, code });
}

/** The FloodgateApiError of a non-2xx answer, or a FloodgateNetworkError when its body is not floodgate's. */
function errorAnswer(method: string, url: string, response: Response, text: string, json: ParsedJson): Error {
  const error = json.ok ? apiErrorOf(json.value) : undefined;
  if (!error) return unreadable(method, url, response, text, 'an error that is not floodgate JSON', json.ok ? undefined : json.error);
  return new FloodgateApiError({
    status: response.status,
    code: error.code,
    message: error.message,
    details: error.details,
    retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')),
    requestId: response.headers.get('x-request-id') ?? undefined,
  });
}

type ParsedJson = { ok: true; value: unknown } | { ok: false; error: unknown };

function parseJson(text: string): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The `error` of floodgate's error body, or undefined when the JSON is someone else's. */
function apiErrorOf(body: unknown): ApiErrorBody | undefined {
  const error = (body as { error?: Partial<ApiErrorBody> } | null)?.error;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string') return undefined;
  return error as ApiErrorBody;
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

/** Node's fetch says only "fetch failed" (or "terminated" mid-body); the reason (ECONNREFUSED, UND_ERR_SOCKET, ...) is in its cause. */
export function systemCodeOf(err: unknown): string | undefined {
  for (let at: unknown = err, depth = 0; at && depth < 4; at = (at as { cause?: unknown }).cause, depth++) {
    const code = (at as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { message?: unknown } } | null)?.cause;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}
