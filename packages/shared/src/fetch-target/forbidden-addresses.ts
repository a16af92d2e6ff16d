import { BlockList, isIPv4, isIPv6 } from 'node:net';

interface Range {
  base: string;
  bits: number;
  label: string;
}

/**
 * Address ranges a page fetch must not reach unless private networks are
 * allowed: anything that is not the public internet. A job's URL comes from
 * whoever can call the API; without this, page-extract would let them probe the
 * worker's own network, its Redis, or a cloud metadata service (SSRF).
 */
const IPV4_FORBIDDEN: Range[] = [
  { base: '0.0.0.0', bits: 8, label: '"this network" (0.0.0.0/8)' },
  { base: '10.0.0.0', bits: 8, label: 'private (10.0.0.0/8)' },
  { base: '100.64.0.0', bits: 10, label: 'carrier-grade NAT (100.64.0.0/10)' },
  { base: '127.0.0.0', bits: 8, label: 'loopback (127.0.0.0/8)' },
  { base: '169.254.169.254', bits: 32, label: 'the cloud metadata service (169.254.169.254)' },
  { base: '169.254.0.0', bits: 16, label: 'link-local (169.254.0.0/16)' },
  { base: '172.16.0.0', bits: 12, label: 'private (172.16.0.0/12)' },
  { base: '192.0.0.0', bits: 24, label: 'IETF protocol assignments (192.0.0.0/24)' },
  { base: '192.0.2.0', bits: 24, label: 'documentation (192.0.2.0/24)' },
  { base: '192.168.0.0', bits: 16, label: 'private (192.168.0.0/16)' },
  { base: '198.18.0.0', bits: 15, label: 'benchmarking (198.18.0.0/15)' },
  { base: '198.51.100.0', bits: 24, label: 'documentation (198.51.100.0/24)' },
  { base: '203.0.113.0', bits: 24, label: 'documentation (203.0.113.0/24)' },
  { base: '224.0.0.0', bits: 4, label: 'multicast (224.0.0.0/4)' },
  { base: '255.255.255.255', bits: 32, label: 'broadcast (255.255.255.255)' },
  { base: '240.0.0.0', bits: 4, label: 'reserved (240.0.0.0/4)' },
];

const IPV6_FORBIDDEN: Range[] = [
  { base: '::1', bits: 128, label: 'loopback (::1)' },
  { base: '::', bits: 128, label: 'unspecified (::)' },
  { base: '::', bits: 96, label: 'IPv4-compatible (::/96, deprecated)' },
  { base: '100::', bits: 64, label: 'discard-only (100::/64)' },
  { base: '2001:db8::', bits: 32, label: 'documentation (2001:db8::/32)' },
  { base: 'fc00::', bits: 7, label: 'unique-local (fc00::/7)' },
  { base: 'fe80::', bits: 10, label: 'link-local (fe80::/10)' },
  { base: 'fec0::', bits: 10, label: 'site-local (fec0::/10)' },
  { base: 'ff00::', bits: 8, label: 'multicast (ff00::/8)' },
  // Tunnels that carry an IPv4 address inside: refused whole rather than decoded,
  // since a fetch worker has no business with them.
  { base: '2002::', bits: 16, label: '6to4 (2002::/16)' },
  { base: '2001::', bits: 32, label: 'Teredo (2001::/32)' },
  { base: '64:ff9b:1::', bits: 48, label: 'NAT64 local-use (64:ff9b:1::/48)' },
];

/** IPv6 prefixes whose last 32 bits are an IPv4 address, judged as that address. */
const IPV4_EMBEDDINGS = [
  { prefix: '::ffff:', label: 'IPv4-mapped' },
  { prefix: '64:ff9b::', label: 'NAT64' },
];

/**
 * Each range as its own `BlockList`, so a match names its range. The IPv4 ranges
 * are also written inside each embedding (`::ffff:10.0.0.0/104`): no address is
 * ever decoded by hand. Order matters: the first match labels the address.
 */
const V4_LISTS = IPV4_FORBIDDEN.map((range) => listOf(range, 'ipv4'));
const V6_LISTS = [
  ...IPV4_EMBEDDINGS.flatMap(({ prefix, label }) =>
    IPV4_FORBIDDEN.map((range) => listOf({ base: `${prefix}${range.base}`, bits: 96 + range.bits, label: `${label} ${range.label}` }, 'ipv6')),
  ),
  ...IPV6_FORBIDDEN.map((range) => listOf(range, 'ipv6')),
];

/**
 * Why `ip` must not be fetched (e.g. `loopback (127.0.0.0/8)`), or `undefined`
 * for a public address. Accepts IPv6 with or without brackets and zone. Anything
 * that is not an IP address is refused: better a false refusal than a guess.
 */
export function forbiddenRangeOf(ip: string): string | undefined {
  const address = ip.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  if (!family) return 'not an IP address';
  return (family === 'ipv4' ? V4_LISTS : V6_LISTS).find(({ list }) => list.check(address, family))?.label;
}

/** Whether `ip` is one of the ranges above (see {@link forbiddenRangeOf}). */
export function isForbiddenAddress(ip: string): boolean {
  return forbiddenRangeOf(ip) !== undefined;
}

function listOf(range: Range, family: 'ipv4' | 'ipv6'): { list: BlockList; label: string } {
  const list = new BlockList();
  list.addSubnet(range.base, range.bits, family);
  return { list, label: range.label };
}
