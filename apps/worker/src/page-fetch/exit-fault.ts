import { redactUrlCredentials } from '@floodgate/shared/logger';
import { transientFailure } from '../running/job-errors';
import { isProxyConnectFailure } from '../proxy-pool/exit-dispatcher';
import type { ProxyOutcome } from '../proxy-pool/proxy-metrics';

/** The outcome a failed fetch through a proxy is counted under (see proxy-metrics.ts). */
export type ProxiedFailure = Exclude<ProxyOutcome, 'ok' | 'aborted'>;

/**
 * How a failed fetch through a proxy reflects on its exit. `anotherExit`: the
 * failure was on the exit's side of the hand-over, so another exit may do
 * better; the site's own failures are only counted.
 */
export interface ExitFault {
  outcome: ProxiedFailure;
  detail: string;
  anotherExit: boolean;
}

const EXIT_FAULT = Symbol('exitFault');

/** How a failure reflects on the exit it went through, when it went through one and got that far. */
export function exitFaultOf(err: unknown): ExitFault | undefined {
  return err instanceof Error ? (err as Error & { [EXIT_FAULT]?: ExitFault })[EXIT_FAULT] : undefined;
}

export function withExitFault<E extends Error>(error: E, outcome: ProxiedFailure, detail: string): E {
  const anotherExit = outcome !== 'timeout' && outcome !== 'target_error';
  Object.defineProperty(error, EXIT_FAULT, { value: { outcome, detail, anotherExit } satisfies ExitFault, enumerable: false });
  return error;
}

/** What {@link judgeProxiedFailure} needs to know of the fetch. */
export interface ProxiedRequest {
  target: URL;
  /** Whether http:// pages go through a tunnel too (https:// always do). */
  tunnelHttp: boolean;
  timeoutMs: number;
  /** The fetch's own signal (not the job's): aborted when the fetch timed out. */
  signal: AbortSignal;
}

/**
 * Whose failure a fetch through a proxy is, up to the response headers: before the hand-over it is the exit's, after it
 * (in a tunnel) the site's; silence until the timeout is the site's in either form (a proxy waits quietly). An
 * absolute-form request the proxy drops unanswered is the proxy's, since it is the other end (it answers 502 otherwise).
 */
export function judgeProxiedFailure(err: unknown, request: ProxiedRequest): Error {
  const { target, signal } = request;
  if (proxyAnswerOf(err) !== undefined || isProxyConnectFailure(err)) return proxyFailure(err, rootMessage(err), target);
  const tunneled = target.protocol === 'https:' || request.tunnelHttp;
  const ownTimeout = signal.aborted && findCause(err, (cause) => cause === signal.reason) !== undefined;
  if (ownTimeout || (tunneled && signal.aborted)) {
    const detail = `no response headers from ${target.href}`;
    return withExitFault(transientFailure('fetch_timeout', `no complete response within ${request.timeoutMs} ms (${detail})`), 'timeout', detail);
  }
  if (!tunneled) return proxyFailure(err, rootMessage(err), target);
  // Not attached as the cause: undici's errors through a proxy may name the proxy's URL.
  const detail = `${target.href} failed before its response headers: ${redactUrlCredentials(rootMessage(err))}`;
  return withExitFault(transientFailure('fetch_failed', detail), 'target_error', detail);
}

/**
 * A failure of the proxy's own, judged: 407 blocks the exit; another CONNECT answer means it could not reach the site
 * (most often down: no cool-down); anything else is the proxy's. The undici error is not attached as the cause and the
 * message is scrubbed of `user:pass@`, so no proxy credentials reach a log or a job.
 */
export function proxyFailure(err: unknown, message: string, target: URL): Error {
  const answered = proxyAnswerOf(err);
  if (answered === 407) {
    return withExitFault(transientFailure('fetch_failed', 'the proxy refused its credentials (407)'), 'blocked', 'proxy answered 407');
  }
  if (answered !== undefined) {
    const detail = `proxy could not reach ${target.host} (CONNECT answered ${answered})`;
    return withExitFault(transientFailure('fetch_failed', `the ${detail}`), 'upstream_error', detail);
  }
  const detail = redactUrlCredentials(message);
  return withExitFault(transientFailure('fetch_failed', `through the proxy: ${detail}`), 'proxy_error', detail);
}

/** The status a proxy answered a CONNECT (or an absolute-form request) with, from undici's errors. */
function proxyAnswerOf(err: unknown): number | undefined {
  for (let cause = err; cause instanceof Error; cause = cause.cause) {
    const match = /Proxy response \((\d{3})\) !== 200|Proxy Authentication Required \((\d{3})\)/.exec(cause.message);
    if (match) return Number(match[1] ?? match[2]);
  }
  return undefined;
}

/** The message of the innermost cause: undici wraps the useful one in `fetch failed`. */
export function rootMessage(err: unknown): string {
  const root = findCause(err, (cause) => !(cause instanceof Error && cause.cause instanceof Error)) ?? err;
  return root instanceof Error ? root.message : String(root);
}

export function findCause(err: unknown, match: (cause: unknown) => boolean): Error | undefined {
  for (let cause = err; cause instanceof Error; cause = cause.cause) if (match(cause)) return cause;
  return undefined;
}
