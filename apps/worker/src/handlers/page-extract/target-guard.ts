import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { checkFetchTarget, forbiddenRangeOf, type FetchTargetPolicy, type FetchTargetVerdict } from '@floodgate/shared/fetch-target';
import { ForbiddenAddressError } from './guarded-agent';

/** Resolves a host name to every address it has (as `dns.lookup` with `all: true`). */
export type TargetLookup = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

/** The system resolver, as the guarded agent uses it (getaddrinfo: /etc/hosts, then DNS). */
export const systemLookup: TargetLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * The SSRF decision for a fetch through a proxy. Without a proxy, the guarded
 * agent checks the addresses its socket really connects to; through a proxy,
 * the socket goes to the proxy and the proxy resolves the target, so this
 * process must resolve the target itself and refuse it when any of its
 * addresses is forbidden. The rules apply to the target only: the proxy's own
 * address (often private or loopback, by design) is not an input here, so it
 * is never judged.
 *
 * Caveat (DNS rebinding): the proxy resolves the name again, and a name that
 * answered a public address here may answer a private one there. Only a proxy
 * that enforces the same rules (or sits where private ranges are unreachable)
 * closes that gap; see apps/worker/README.md.
 */
export async function checkProxiedTarget(url: URL, policy: FetchTargetPolicy, lookup: TargetLookup = systemLookup): Promise<FetchTargetVerdict> {
  const byUrl = checkFetchTarget(url, policy);
  if (!byUrl.allowed || policy.allowPrivateNetworks) return byUrl;
  const refusal = await forbiddenAddressOf(url, lookup);
  return refusal ? { allowed: false, code: 'forbidden_address', reason: refusal.message } : { allowed: true };
}

/**
 * `ProxiedFetch.guardTarget` for fetch-page.ts, which has run `checkFetchTarget`
 * on the hop already: resolves its host and throws `ForbiddenAddressError` when
 * an address is forbidden, giving up when `signal` aborts (a resolver that
 * hangs must not outlive the fetch timeout).
 */
export function createTargetGuard(policy: FetchTargetPolicy, lookup: TargetLookup = systemLookup): (url: URL, signal: AbortSignal) => Promise<void> {
  return async (url, signal) => {
    if (policy.allowPrivateNetworks) return;
    const refusal = await abortable(forbiddenAddressOf(url, lookup), signal);
    if (refusal) throw refusal;
  };
}

/** Resolves the URL's host (not an IP literal: those are judged from the URL) and finds a forbidden address among its answers. */
async function forbiddenAddressOf(url: URL, lookup: TargetLookup): Promise<ForbiddenAddressError | undefined> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0) return undefined;
  const addresses = await lookup(host);
  if (addresses.length === 0) throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });
  for (const { address } of addresses) {
    const range = forbiddenRangeOf(address);
    if (range) return new ForbiddenAddressError(host, address, range);
  }
  return undefined;
}

function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
