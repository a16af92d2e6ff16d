import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { FetchTargetPolicy } from '@floodgate/shared/fetch-target';
import { forbiddenAmong, noAddress } from './guarded-agent';

/** Resolves a host name to every address it has (as `dns.lookup` with `all: true`). */
export type TargetLookup = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

/** The system resolver, as the guarded agent uses it (getaddrinfo: /etc/hosts, then DNS). */
export const systemLookup: TargetLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * The SSRF decision for a fetch through a proxy (`ProxiedFetch.guardTarget`): the
 * proxy resolves the target, so this process resolves it too and throws
 * `ForbiddenAddressError` when any address is forbidden. Only the target is judged,
 * never the proxy; it gives up when `signal` aborts. The DNS-rebinding caveat:
 * apps/worker/README.md, "SSRF through a proxy".
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
