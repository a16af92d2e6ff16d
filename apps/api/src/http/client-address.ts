import type { IncomingMessage } from 'node:http';
import type { Express } from 'express';

/** express's compiled `trust proxy` rule: whether the hop at `index` (0: the socket's peer), at `address`, may name the one before it. */
export type TrustProxyRule = (address: string, index: number) => boolean;

/**
 * The rule express compiled from the app's `trust proxy` setting, the one
 * behind `req.ip`: the lean path uses it too, so both paths name the same
 * client for the same request (rate limits, the tenant of a request without a key).
 */
export function trustProxyRuleOf(app: Express): TrustProxyRule {
  const rule: unknown = app.get('trust proxy fn');
  // express has kept it under this name since 4.x; if that ever changes, refuse to start rather than trust everyone.
  if (typeof rule !== 'function') throw new Error("express no longer exposes its compiled 'trust proxy fn': update client-address.ts");
  return rule as TrustProxyRule;
}

/** {@link clientAddressOf} under one rule: what the lean path is given. */
export function clientAddressReader(trust: TrustProxyRule): (req: IncomingMessage) => string | undefined {
  return (req) => clientAddressOf(req, trust);
}

/**
 * The client's address under `trust`, as express's `req.ip` reads it: start
 * at the peer, and while the hop at hand is trusted, step to the address it
 * put in `X-Forwarded-For` (the list read from its right end, the nearest hop).
 */
export function clientAddressOf(req: IncomingMessage, trust: TrustProxyRule): string | undefined {
  const peer = req.socket.remoteAddress;
  if (peer === undefined) return undefined;
  const header = req.headers['x-forwarded-for'];
  const listed = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const hops = [peer, ...listed.reverse()];
  let index = 0;
  while (index < hops.length - 1 && trust(hops[index]!, index)) index++;
  return hops[index];
}
