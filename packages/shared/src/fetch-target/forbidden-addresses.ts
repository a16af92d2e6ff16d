import { isIPv4, isIPv6 } from 'node:net';

/**
 * Address ranges a page fetch must not reach unless private networks are
 * allowed: anything that is not the public internet. A job's URL comes from
 * whoever can call the API; without this, page-extract would let them probe the
 * worker's own network, its Redis, or a cloud metadata service (SSRF).
 */
interface Range {
  base: bigint;
  bits: number;
  label: string;
}

const IPV4_FORBIDDEN: Range[] = [
  v4('0.0.0.0', 8, '"this network" (0.0.0.0/8)'),
  v4('10.0.0.0', 8, 'private (10.0.0.0/8)'),
  v4('100.64.0.0', 10, 'carrier-grade NAT (100.64.0.0/10)'),
  v4('127.0.0.0', 8, 'loopback (127.0.0.0/8)'),
  v4('169.254.169.254', 32, 'the cloud metadata service (169.254.169.254)'),
  v4('169.254.0.0', 16, 'link-local (169.254.0.0/16)'),
  v4('172.16.0.0', 12, 'private (172.16.0.0/12)'),
  v4('192.0.0.0', 24, 'IETF protocol assignments (192.0.0.0/24)'),
  v4('192.0.2.0', 24, 'documentation (192.0.2.0/24)'),
  v4('192.168.0.0', 16, 'private (192.168.0.0/16)'),
  v4('198.18.0.0', 15, 'benchmarking (198.18.0.0/15)'),
  v4('198.51.100.0', 24, 'documentation (198.51.100.0/24)'),
  v4('203.0.113.0', 24, 'documentation (203.0.113.0/24)'),
  v4('224.0.0.0', 4, 'multicast (224.0.0.0/4)'),
  v4('255.255.255.255', 32, 'broadcast (255.255.255.255)'),
  v4('240.0.0.0', 4, 'reserved (240.0.0.0/4)'),
];

const IPV6_FORBIDDEN: Range[] = [
  v6('::1', 128, 'loopback (::1)'),
  v6('::', 128, 'unspecified (::)'),
  v6('::', 96, 'IPv4-compatible (::/96, deprecated)'),
  v6('100::', 64, 'discard-only (100::/64)'),
  v6('2001:db8::', 32, 'documentation (2001:db8::/32)'),
  v6('fc00::', 7, 'unique-local (fc00::/7)'),
  v6('fe80::', 10, 'link-local (fe80::/10)'),
  v6('fec0::', 10, 'site-local (fec0::/10)'),
  v6('ff00::', 8, 'multicast (ff00::/8)'),
  // Tunnels that carry an IPv4 address inside: refused whole rather than decoded,
  // since a fetch worker has no business with them.
  v6('2002::', 16, '6to4 (2002::/16)'),
  v6('2001::', 32, 'Teredo (2001::/32)'),
  v6('64:ff9b:1::', 48, 'NAT64 local-use (64:ff9b:1::/48)'),
];

/** IPv6 ranges whose last 32 bits are an IPv4 address, judged as that address. */
const IPV4_EMBEDDING: Range[] = [
  v6('::ffff:0:0', 96, 'IPv4-mapped'),
  v6('64:ff9b::', 96, 'NAT64'),
];

/**
 * Why `ip` must not be fetched (e.g. `loopback (127.0.0.0/8)`), or `undefined`
 * for a public address. Accepts IPv6 with or without brackets and zone. Anything
 * that is not an IP address is refused: better a false refusal than a guess.
 */
export function forbiddenRangeOf(ip: string): string | undefined {
  const address = ip.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  if (isIPv4(address)) return matchRange(ipv4ToBigInt(address), IPV4_FORBIDDEN, 32);
  if (!isIPv6(address)) return 'not an IP address';
  const value = ipv6ToBigInt(address);
  const embedding = matchRange(value, IPV4_EMBEDDING, 128);
  if (embedding) {
    const inner = matchRange(value & 0xffffffffn, IPV4_FORBIDDEN, 32);
    return inner && `${embedding} ${inner}`;
  }
  return matchRange(value, IPV6_FORBIDDEN, 128);
}

/** Whether `ip` is one of the ranges above (see {@link forbiddenRangeOf}). */
export function isForbiddenAddress(ip: string): boolean {
  return forbiddenRangeOf(ip) !== undefined;
}

function matchRange(value: bigint, ranges: Range[], width: number): string | undefined {
  return ranges.find((range) => value >> BigInt(width - range.bits) === range.base >> BigInt(width - range.bits))?.label;
}

function v4(base: string, bits: number, label: string): Range {
  return { base: ipv4ToBigInt(base), bits, label };
}

function v6(base: string, bits: number, label: string): Range {
  return { base: ipv6ToBigInt(base), bits, label };
}

function ipv4ToBigInt(ip: string): bigint {
  return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

/** Parses a valid IPv6 address (checked by the caller), dotted IPv4 tail included. */
function ipv6ToBigInt(ip: string): bigint {
  let text = ip;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) {
    const v4value = ipv4ToBigInt(dotted);
    text = `${text.slice(0, -dotted.length)}${(v4value >> 16n).toString(16)}:${(v4value & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}
