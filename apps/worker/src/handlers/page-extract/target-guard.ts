import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { FetchTargetPolicy } from '@floodgate/shared/fetch-target';
import { forbiddenAmong, noAddress } from './guarded-agent';

/** Resolves a host name to every address it has (as `dns.lookup` with `all: true`). */
export type TargetLookup = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

/** The system resolver, as the guarded agent uses it (getaddrinfo: /etc/hosts, then DNS). */
export const systemLookup: TargetLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * The SSRF decision for a fetch through a proxy, as `ProxiedFetch.guardTarget`
 * for fetch-page.ts (which has run `checkFetchTarget` on the hop already).
 * Without a proxy, the guarded agent checks the addresses its socket really
 * connects to; through a proxy, the socket goes to the proxy and the proxy
 * resolves the target, so this process resolves the target itself and throws
 * `ForbiddenAddressError` when any of its addresses is forbidden. The rules
 * apply to the target only: the proxy's own address (often private or
 * loopback, by design) is not an input here, so it is never judged. It gives
 * up when `signal` aborts (a resolver that hangs must not outlive the fetch
 * timeout).
 *
 * Caveat (DNS rebinding): the proxy resolves the name again, and a name that
 * answered a public address here may answer a private one there. Only a proxy
 * that enforces the same rules (or sits where private ranges are unreachable)
 * closes that gap; see apps/worker/README.md.
 */
export function createTargetGuard(policy: FetchTargetPolicy, lookup: TargetLookup = systemLookup): (url: URL, signal: AbortSignal) => Promise<void> {
  return async (url, signal) => {
    if (policy.allowPrivateNetworks) return;
    // IP literals (and localhost names) are judged from the URL, by checkFetchTarget.
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host) !== 0) return;
    const addresses = await abortable(lookup(host), signal);
    if (addresses.length === 0) throw noAddress(host);
    const forbidden = forbiddenAmong(host, addresses);
    if (forbidden) throw forbidden;
  };
}

function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
