import { isIP } from 'node:net';
import { forbiddenRangeOf } from './forbidden-addresses';

export { forbiddenRangeOf, isForbiddenAddress } from './forbidden-addresses';

/** What page-extract may reach. */
export interface FetchTargetPolicy {
  /**
   * Allow loopback, private and other non-public addresses (local development only).
   * @defaultValue false (env PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS)
   */
  allowPrivateNetworks: boolean;
}

export type FetchTargetVerdict =
  | { allowed: true }
  | { allowed: false; code: 'unsupported_protocol' | 'credentials_in_url' | 'forbidden_port' | 'forbidden_address'; reason: string };

/**
 * Whether a URL (the job's, or a redirect's) may be fetched, judged from the URL alone: scheme, credentials, port, and an
 * IP-literal or `localhost` host (other names are judged on their resolved addresses, in the worker's guarded-agent.ts).
 * The API applies it at enqueue (a 422, not a failed job), the worker again on every URL it fetches.
 */
export function checkFetchTarget(url: URL, policy: FetchTargetPolicy): FetchTargetVerdict {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { allowed: false, code: 'unsupported_protocol', reason: `${url.protocol} URLs are not fetched, only http: and https:` };
  }
  // Credentials in a URL end up in logs and in the request to whatever host a redirect names.
  if (url.username !== '' || url.password !== '') {
    return { allowed: false, code: 'credentials_in_url', reason: 'URLs with a user name or password are not fetched' };
  }
  if (!isAllowedPort(url.port)) {
    return { allowed: false, code: 'forbidden_port', reason: `port ${url.port} is not fetched (only 80, 443 and 1024-65535)` };
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!policy.allowPrivateNetworks && isIP(host) !== 0) {
    const range = forbiddenRangeOf(host);
    if (range) return { allowed: false, code: 'forbidden_address', reason: `${host} is ${range}` };
  }
  // RFC 6761: localhost names are loopback, whatever a resolver says.
  if (!policy.allowPrivateNetworks && /(^|\.)localhost\.?$/i.test(host)) {
    return { allowed: false, code: 'forbidden_address', reason: `${host} is loopback (localhost)` };
  }
  return { allowed: true };
}

/**
 * The web's ports plus every unprivileged one. Ports below 1024 other than 80
 * and 443 belong to services (SSH, SMTP, ...) a page fetch has no business
 * talking to. `''` is the scheme's default port.
 */
function isAllowedPort(port: string): boolean {
  if (port === '' || port === '80' || port === '443') return true;
  return Number(port) >= 1024;
}
