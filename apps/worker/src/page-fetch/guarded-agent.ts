import { lookup as dnsLookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { forbiddenRangeOf, type FetchTargetPolicy } from '@floodgate/shared/fetch-target';

/** A connection was refused because its address is not on the public internet. */
export class ForbiddenAddressError extends Error {
  readonly code = 'forbidden_address';
  constructor(host: string, address: string, range: string) {
    super(host === address ? `${address} is ${range}` : `${host} resolves to ${address}, which is ${range}`);
    this.name = 'ForbiddenAddressError';
  }
}

/** The first forbidden address among a host's, as the error to fail with, or undefined. */
export function forbiddenAmong(host: string, addresses: ReadonlyArray<{ address: string }>): ForbiddenAddressError | undefined {
  for (const { address } of addresses) {
    const range = forbiddenRangeOf(address);
    if (range) return new ForbiddenAddressError(host, address, range);
  }
  return undefined;
}

/** A lookup that found nothing, as resolvers report it. */
export function noAddress(host: string): Error {
  return Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });
}

/**
 * A DNS lookup that refuses a host if any address it resolves to is forbidden.
 * Checking here, on the addresses the socket will really use, rather than on the
 * URL, is what covers redirects and DNS rebinding (a name that resolves to a
 * public address when checked and to 127.0.0.1 when connected).
 */
export function createGuardedLookup(policy: FetchTargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const forbidden = policy.allowPrivateNetworks ? undefined : forbiddenAmong(hostname, addresses);
      if (forbidden) return callback(forbidden, '');
      const first = addresses[0];
      if (options.all) return callback(null, addresses);
      if (!first) return callback(noAddress(hostname), '');
      return callback(null, first.address, first.family);
    });
  };
}

/**
 * The undici Agent page-extract fetches through. Node skips the lookup for IP
 * literals, so the connector checks those itself: every connection, redirects
 * included, passes one of the two checks.
 */
export function createGuardedAgent(policy: FetchTargetPolicy): Agent {
  const connect = buildConnector({ lookup: createGuardedLookup(policy) });
  return new Agent({
    connect: (options, callback) => {
      const host = options.hostname.replace(/^\[(.*)\]$/, '$1');
      const range = !policy.allowPrivateNetworks && isIP(host) !== 0 ? forbiddenRangeOf(host) : undefined;
      if (range) return callback(new ForbiddenAddressError(host, host, range), null);
      return connect(options, callback);
    },
  });
}
