import { UnrecoverableError } from 'bullmq';
import type { Dispatcher } from 'undici';
import { permanentFailure, transientFailure } from '../running/job-errors';
import { checkFetchTarget, type FetchTargetPolicy } from '@floodgate/shared/fetch-target';
import { redactUrlCredentials } from '@floodgate/shared/logger';
import { findCause, judgeProxiedFailure, proxyFailure, rootMessage, withExitFault } from './exit-fault';
import { ForbiddenAddressError } from './guarded-agent';
import { decodeBody, dropBody, readCappedBody } from './read-capped-body';

export interface FetchPageOptions {
  /** The guarded agent (see guarded-agent.ts), or a proxy's dispatcher (then `proxy` is set too). */
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
  /** Set when `dispatcher` sends through a proxy. */
  proxy?: ProxiedFetch;
}

/**
 * What a fetch through a proxy does differently. The proxy, not this process,
 * resolves the target's name, so the guarded DNS lookup never sees the
 * target's addresses: `guardTarget` resolves and checks them itself, on every
 * hop. And an exit can be blocked where a direct fetch is merely refused.
 */
export interface ProxiedFetch {
  /** Throws `ForbiddenAddressError` when the URL's host resolves to a forbidden address (see target-guard.ts). */
  guardTarget(url: URL, signal: AbortSignal): Promise<void>;
  /** Target statuses that mean the exit is blocked (403, 429 by default): they fail with {@link BlockedResponseError}. */
  blockStatuses: ReadonlySet<number>;
  /** Whether http:// pages go through a CONNECT tunnel too: it decides whose a failure is (exit-fault.ts). */
  tunnelHttp: boolean;
}

/**
 * The target answered a block status through a proxy. Never reaches BullMQ:
 * the handler tries another exit, and when there is none left it uses
 * `fallback`, what a direct fetch would have made of the same answer.
 */
export class BlockedResponseError extends Error {
  constructor(
    readonly status: number,
    readonly fallback: { page: FetchedPage } | { error: Error },
    url: string,
  ) {
    super(`${url} answered ${status} through the proxy`);
    this.name = 'BlockedResponseError';
    withExitFault(this, 'blocked', `target answered ${status}`);
  }
}

export interface FetchedPage {
  /** The URL after redirects. */
  finalUrl: string;
  status: number;
  /** `text/html` or `text/plain`, or `null` when the status says there is no page to read. */
  kind: 'html' | 'text' | null;
  body: string;
}

const SENT_NOTHING = Symbol('sent nothing');

/** Marks a failure raised before the first request left: the page's own URL was refused. */
function sentNothing(err: unknown): unknown {
  if (typeof err === 'object' && err !== null) Object.defineProperty(err, SENT_NOTHING, { value: true });
  return err;
}

/** Whether the fetch failed before sending anything: through a proxy, that says nothing about the exit. */
export function failedBeforeSending(err: unknown): boolean {
  return typeof err === 'object' && err !== null && SENT_NOTHING in err;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const READABLE_TYPES: Record<string, 'html' | 'text'> = { 'text/html': 'html', 'application/xhtml+xml': 'html', 'text/plain': 'text' };

/**
 * Fetches a page for extraction. Redirects are followed here, one hop at a
 * time (at most `maxRedirects`), so every hop's URL passes the target policy.
 */
export async function fetchPage(url: string, options: FetchPageOptions): Promise<FetchedPage> {
  // One controller and one timer, not AbortSignal.any + timeout: those cost several times more memory per fetch in Node 20.
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
    try {
      const verdict = checkFetchTarget(target, options.policy);
      if (!verdict.allowed) throw permanentFailure(verdict.code, verdict.reason);
      if (options.proxy) await guardTarget(options.proxy, target, options, signal);
    } catch (err) {
      throw redirects === 0 ? sentNothing(err) : err;
    }
    // undici's request() rather than fetch(): several times less memory and CPU per page, so one process holds thousands in flight.
    const response = await translateFetchErrors(options, signal, target, () =>
      options.dispatcher.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: 'GET',
        signal,
        headers: { accept: 'text/html,application/xhtml+xml,text/plain;q=0.9', 'user-agent': 'floodgate-page-extract' },
      }),
    );
    if (options.proxy && response.statusCode === 407) {
      // undici turns a proxy's 407 into an error; should one arrive as an answer, it is still the proxy's.
      discard(response);
      throw proxyFailure(new Error('Proxy Authentication Required (407)'), '', target);
    }
    if (options.proxy?.blockStatuses.has(response.statusCode)) {
      discard(response);
      throw blockedAnswer(target, response.statusCode);
    }
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
    throw upstreamStatus(target, status);
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
  const bytes = await readBody(target, response, options, signal);
  if (!bytes) throw tooLarge();
  return { ...page, kind, body: decodeBody(bytes, contentType) };
}

/**
 * Reads the body of an answer whose headers arrived. Whatever goes wrong now is
 * the page's doing, not the exit's: the exit delivered an answer, and a site that
 * drips its body (a tarpit) must not cool every exit it is fetched through.
 */
async function readBody(target: URL, response: ResponseData, options: FetchPageOptions, signal: AbortSignal): Promise<Uint8Array | undefined> {
  try {
    return await readCappedBody(response.body, options.maxBytes);
  } catch (err) {
    dropBody(response.body);
    if (options.signal.aborted) throw options.signal.reason;
    if (signal.aborted) throw transientFailure('fetch_timeout', `no complete response within ${options.timeoutMs} ms (${target.href} was still sending its body)`);
    // Not attached as the cause through a proxy: undici's errors there may name the proxy's URL.
    throw transientFailure('fetch_failed', `${target.href} broke off its body: ${redactUrlCredentials(rootMessage(err))}`, options.proxy ? undefined : err);
  }
}

function upstreamStatus(target: URL, status: number): Error {
  return transientFailure('upstream_status', `${target.href} answered ${status}`);
}

/** A block status through a proxy, with what a direct fetch would have made of it. */
function blockedAnswer(target: URL, status: number): BlockedResponseError {
  const fallback =
    status >= 500 || status === 429
      ? { error: upstreamStatus(target, status) }
      : { page: { finalUrl: target.href, status, kind: null, body: '' } satisfies FetchedPage };
  return new BlockedResponseError(status, fallback, target.href);
}

/** Resolves and checks a hop's host before it goes through the proxy. A failure here is never the exit's. */
async function guardTarget(proxy: ProxiedFetch, target: URL, options: FetchPageOptions, signal: AbortSignal): Promise<void> {
  try {
    await proxy.guardTarget(target, signal);
  } catch (err) {
    if (err instanceof ForbiddenAddressError) throw permanentFailure('forbidden_address', err.message, err);
    if (options.signal.aborted) throw options.signal.reason;
    if (signal.aborted) throw transientFailure('fetch_timeout', `no complete response within ${options.timeoutMs} ms (resolving ${target.hostname})`);
    throw transientFailure('fetch_failed', `could not resolve ${target.hostname}: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

/** Turns undici's `fetch failed` and abort errors, up to the response headers, into ones that say what happened and whose fault it was. */
async function translateFetchErrors<T>(options: FetchPageOptions, signal: AbortSignal, target: URL, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof UnrecoverableError) throw err;
    const forbidden = findCause(err, (cause) => cause instanceof ForbiddenAddressError);
    if (forbidden) throw permanentFailure('forbidden_address', forbidden.message, forbidden);
    // The job's own signal (timeout, shutdown) carries its reason; run-job reports it.
    if (options.signal.aborted) throw options.signal.reason;
    if (options.proxy) throw judgeProxiedFailure(err, { target, tunnelHttp: options.proxy.tunnelHttp, timeoutMs: options.timeoutMs, signal });
    if (signal.aborted) throw transientFailure('fetch_timeout', `no complete response within ${options.timeoutMs} ms`, err);
    throw transientFailure('fetch_failed', rootMessage(err), err);
  }
}
