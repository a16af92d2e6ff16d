import { UnrecoverableError } from 'bullmq';
import type { Dispatcher } from 'undici';
import { permanentFailure, transientFailure } from '../../job-errors';
import { checkFetchTarget, type FetchTargetPolicy } from '@floodgate/shared/fetch-target';
import { ForbiddenAddressError } from './guarded-agent';
import { decodeBody, dropBody, readCappedBody } from './read-capped-body';

export interface FetchPageOptions {
  /** The guarded agent (see guarded-agent.ts); every connection goes through it. */
  dispatcher: Dispatcher;
  policy: FetchTargetPolicy;
  /** Most body bytes read (after decompression). */
  maxBytes: number;
  /** Time the whole fetch may take, redirects and body included. */
  timeoutMs: number;
  /** The job's signal: aborts on job timeout and shutdown. */
  signal: AbortSignal;
  /** @defaultValue 5 */
  maxRedirects?: number;
}

export interface FetchedPage {
  /** The URL after redirects. */
  finalUrl: string;
  status: number;
  /** `text/html` or `text/plain`, or `null` when the status says there is no page to read. */
  kind: 'html' | 'text' | null;
  body: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const READABLE_TYPES: Record<string, 'html' | 'text'> = { 'text/html': 'html', 'application/xhtml+xml': 'html', 'text/plain': 'text' };

/**
 * Fetches a page for extraction. Redirects are followed here, one hop at a
 * time (at most `maxRedirects`), so every hop's URL passes the target policy.
 */
export async function fetchPage(url: string, options: FetchPageOptions): Promise<FetchedPage> {
  // One controller and one timer rather than AbortSignal.any + AbortSignal.timeout:
  // in Node 20 those cost several times more memory per fetch, which adds up
  // over thousands of concurrent jobs.
  const controller = new AbortController();
  const abort = () => controller.abort(options.signal.reason);
  const timer = setTimeout(() => controller.abort(new Error('fetch timeout')), options.timeoutMs);
  options.signal.addEventListener('abort', abort, { once: true });
  if (options.signal.aborted) abort();
  try {
    return await followRedirects(url, options, controller.signal);
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', abort);
  }
}

async function followRedirects(url: string, options: FetchPageOptions, signal: AbortSignal): Promise<FetchedPage> {
  const maxRedirects = options.maxRedirects ?? 5;
  let target = new URL(url);
  for (let redirects = 0; ; redirects++) {
    const verdict = checkFetchTarget(target, options.policy);
    if (!verdict.allowed) throw permanentFailure(verdict.code, verdict.reason);
    // undici's request() rather than fetch(): no WHATWG Request/Response/stream objects,
    // several times less memory and CPU per page, which is what lets one process
    // hold thousands of pages in flight.
    const response = await translateFetchErrors(options, signal, () =>
      options.dispatcher.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: 'GET',
        signal,
        headers: { accept: 'text/html,application/xhtml+xml,text/plain;q=0.9', 'user-agent': 'floodgate-page-extract' },
      }),
    );
    const location = header(response, 'location');
    if (!REDIRECT_STATUSES.has(response.statusCode) || location === undefined) {
      return await readPage(target, response, options, signal);
    }
    discard(response);
    if (redirects >= maxRedirects) throw permanentFailure('too_many_redirects', `more than ${maxRedirects} redirects from ${url}`);
    if (!URL.canParse(location, target.href)) throw permanentFailure('invalid_redirect', `${target.href} redirects to an invalid URL`);
    target = new URL(location, target);
  }
}

type ResponseData = Dispatcher.ResponseData;

function header(response: ResponseData, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Drops a body we will not read, releasing its socket. */
function discard(response: ResponseData): void {
  dropBody(response.body);
}

async function readPage(target: URL, response: ResponseData, options: FetchPageOptions, signal: AbortSignal): Promise<FetchedPage> {
  const status = response.statusCode;
  const page = { finalUrl: target.href, status };
  if (status >= 500 || status === 429) {
    discard(response);
    throw transientFailure('upstream_status', `${target.href} answered ${status}`);
  }
  // An error page describes the error, not the resource: report the status, skip the body.
  if (status < 200 || status >= 300) {
    discard(response);
    return { ...page, kind: null, body: '' };
  }
  const contentType = header(response, 'content-type') ?? '';
  const kind = READABLE_TYPES[contentType.split(';')[0]?.trim().toLowerCase() ?? ''];
  if (!kind) {
    discard(response);
    throw permanentFailure('unsupported_content_type', `${contentType || 'no content type'} (only HTML and plain text are extracted)`);
  }
  const tooLarge = () => permanentFailure('response_too_large', `${target.href} is larger than ${options.maxBytes} bytes`);
  if (Number(header(response, 'content-length') ?? 0) > options.maxBytes) {
    discard(response);
    throw tooLarge();
  }
  const bytes = await translateFetchErrors(options, signal, () => readCappedBody(response.body, options.maxBytes));
  if (!bytes) throw tooLarge();
  return { ...page, kind, body: decodeBody(bytes, contentType) };
}

/** Turns undici's `fetch failed` and abort errors into ones that say what happened. */
async function translateFetchErrors<T>(options: FetchPageOptions, signal: AbortSignal, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof UnrecoverableError) throw err;
    const forbidden = findCause(err, (cause) => cause instanceof ForbiddenAddressError);
    if (forbidden) throw permanentFailure('forbidden_address', forbidden.message, forbidden);
    // The job's own signal (timeout, shutdown) carries its reason; run-job reports it.
    if (options.signal.aborted) throw options.signal.reason;
    if (signal.aborted) throw transientFailure('fetch_timeout', `no complete response within ${options.timeoutMs} ms`, err);
    const root = findCause(err, (cause) => !(cause instanceof Error && cause.cause instanceof Error)) ?? err;
    throw transientFailure('fetch_failed', root instanceof Error ? root.message : String(root), err);
  }
}

function findCause(err: unknown, match: (cause: unknown) => boolean): Error | undefined {
  for (let cause = err; cause instanceof Error; cause = cause.cause) if (match(cause)) return cause;
  return undefined;
}
