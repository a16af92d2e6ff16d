import type { TrustProxy } from '@floodgate/shared/env';
import { describe, expect, test } from 'vitest';
import { startApi, type ApiHarness } from '../testing/api-harness';

/**
 * Who the client is, behind proxies or not (TRUST_PROXY). With auth disabled a
 * request's tenant is its client's address, stored on the job: so the job says
 * which address each path (the lean one, and express via `?wait=0`) settled on.
 */
async function tenantOf(api: ApiHarness, lean: boolean, forwardedFor?: string): Promise<unknown> {
  const res = await api.request('POST', `/v1/jobs/compute${lean ? '' : '?wait=0'}`, {
    json: { payload: { n: 1, m: 1 } },
    auth: false,
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  // The tenant travels in the job's options, beside BullMQ's own.
  return ((await api.queues.compute.getJob(id))?.opts as Record<string, unknown> | undefined)?.tenant;
}

const cases: Array<{ trust: TrustProxy | undefined; forwardedFor: string; client: string }> = [
  // Not trusted (the default): a client cannot pick its address by sending the header.
  { trust: undefined, forwardedFor: '203.0.113.7', client: '127.0.0.1' },
  // The proxy on loopback is trusted: it names the client; an address the client itself added is not believed.
  { trust: ['loopback'], forwardedFor: '203.0.113.7', client: '203.0.113.7' },
  { trust: ['loopback'], forwardedFor: '198.51.100.9, 203.0.113.7', client: '203.0.113.7' },
  // One hop: the nearest proxy names the client, whatever came before.
  { trust: 1, forwardedFor: '198.51.100.9, 203.0.113.7', client: '203.0.113.7' },
  // Every hop: the first address of the chain.
  { trust: true, forwardedFor: '198.51.100.9, 203.0.113.7', client: '198.51.100.9' },
  // A range the peer is not in: the peer it is.
  { trust: ['10.0.0.0/8'], forwardedFor: '203.0.113.7', client: '127.0.0.1' },
];

describe('the client address behind a reverse proxy', () => {
  test.each(cases)('TRUST_PROXY=$trust, X-Forwarded-For: $forwardedFor → $client, on both paths', async ({ trust, forwardedFor, client }) => {
    const api = await startApi({ dispatchSlots: false, authDisabled: true, ...(trust === undefined ? {} : { trustProxy: trust }) });
    try {
      expect(await tenantOf(api, true, forwardedFor)).toBe(`ip:${client}`);
      expect(await tenantOf(api, false, forwardedFor)).toBe(`ip:${client}`);
      // No header: the peer, trusted or not.
      expect(await tenantOf(api, true)).toBe('ip:127.0.0.1');
    } finally {
      await api.stop();
    }
  });
});
