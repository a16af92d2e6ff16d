import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Which reverse proxies in front of a server may say who the client is (in
 * `X-Forwarded-For`): none (`false`), any (`true`), the nearest N hops, or
 * those at these addresses and ranges. Given to express as `trust proxy`
 * unchanged, so every reading of a client's address follows one rule.
 */
export type TrustProxy = boolean | number | string[];

/** express's names for whole ranges (loopback 127.0.0.0/8 and ::1, link-local, unique-local). */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Why one entry of a list is not an address, a CIDR range or a named range; undefined when it is one. */
function entryProblem(entry: string): string | undefined {
  if (NAMED_RANGES.has(entry)) return undefined;
  const [address = '', bits, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return `"${entry}" is not an IP address, a CIDR range (10.0.0.0/8) or one of loopback, linklocal, uniquelocal`;
  if (bits === undefined) return undefined;
  const max = version === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return `"${entry}": the prefix length must be 0-${max}`;
  return undefined;
}

/**
 * TRUST_PROXY: `false` (the default: the peer's address is the client's),
 * `true` (every hop: only when nothing can reach the server but the proxy),
 * a hop count (`1`: the nearest proxy, e.g. one load balancer), or addresses,
 * CIDR ranges and named ranges separated by commas (`loopback, 10.0.0.0/8`).
 * Anything else is refused at start rather than read as "trust nothing".
 */
export function trustProxyEnv() {
  return z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z
      .string()
      .optional()
      .transform((text, ctx): TrustProxy => {
        if (text === undefined) return false;
        const value = text.trim().toLowerCase();
        if (value === 'true' || value === 'false') return value === 'true';
        if (/^\d+$/.test(value)) return Number(value);
        const entries = value.split(',').map((entry) => entry.trim());
        for (const problem of entries.map(entryProblem)) {
          if (problem) ctx.addIssue({ code: 'custom', message: `${problem}; expected true, false, a hop count or a list of addresses and CIDR ranges` });
        }
        return entries;
      }),
  );
}
