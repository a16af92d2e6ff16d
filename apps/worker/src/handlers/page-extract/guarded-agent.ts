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
      if (!policy.allowPrivateNetworks) {
        for (const { address } of addresses) {
          const range = forbiddenRangeOf(address);
          if (range) return callback(new ForbiddenAddressError(hostname, address, range), '');
        }
      }
      const first = addresses[0];
      if (options.all) return callback(null, addresses);
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
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
