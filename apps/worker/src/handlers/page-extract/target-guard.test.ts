import { describe, expect, it } from 'vitest';
import { ForbiddenAddressError } from './guarded-agent';
import { checkProxiedTarget, createTargetGuard, type TargetLookup } from './target-guard';

const strict = { allowPrivateNetworks: false };
const answers: Record<string, string[]> = {
  'public.test': ['93.184.215.14'],
  'mixed.test': ['93.184.215.14', '192.168.1.20'],
  'metadata.test': ['169.254.169.254'],
  'v6.test': ['2606:4700:4700::1111'],
};
const lookups: string[] = [];
const lookup: TargetLookup = async (host) => {
  lookups.push(host);
  return (answers[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

describe('checkProxiedTarget (the SSRF decision for a fetch through a proxy)', () => {
  it('resolves the target itself and refuses it when any address is internal', async () => {
    expect(await checkProxiedTarget(new URL('http://mixed.test/'), strict, lookup)).toEqual({
      allowed: false,
      code: 'forbidden_address',
      reason: 'mixed.test resolves to 192.168.1.20, which is private (192.168.0.0/16)',
    });
    expect(await checkProxiedTarget(new URL('https://metadata.test/latest'), strict, lookup)).toMatchObject({ allowed: false, code: 'forbidden_address' });
  });

  it('allows a target that resolves to public addresses only', async () => {
    expect(await checkProxiedTarget(new URL('http://public.test:8080/a'), strict, lookup)).toEqual({ allowed: true });
    expect(await checkProxiedTarget(new URL('http://v6.test/'), strict, lookup)).toEqual({ allowed: true });
  });

  it('judges IP literals and localhost names from the URL, without a lookup', async () => {
    lookups.length = 0;
    expect(await checkProxiedTarget(new URL('http://10.0.0.1:8080/'), strict, lookup)).toMatchObject({ allowed: false, code: 'forbidden_address' });
    expect(await checkProxiedTarget(new URL('http://localhost:8080/'), strict, lookup)).toMatchObject({ allowed: false, code: 'forbidden_address' });
    expect(await checkProxiedTarget(new URL('http://93.184.215.14/'), strict, lookup)).toEqual({ allowed: true });
    expect(lookups).toEqual([]);
  });

  it('has no say over the proxy: only the target is an input (through-proxies.test.ts fetches via a proxy on 127.0.0.1 with protection on)', async () => {
    lookups.length = 0;
    expect(await checkProxiedTarget(new URL('http://public.test/'), strict, lookup)).toEqual({ allowed: true });
    expect(lookups).toEqual(['public.test']);
  });

  it('checks nothing when private networks are allowed (the proxy resolves)', async () => {
    lookups.length = 0;
    expect(await checkProxiedTarget(new URL('http://mixed.test/'), { allowPrivateNetworks: true }, lookup)).toEqual({ allowed: true });
    expect(lookups).toEqual([]);
  });

  it('fails a name with no address as a lookup error, not a refusal', async () => {
    await expect(checkProxiedTarget(new URL('http://nowhere.test/'), strict, lookup)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('createTargetGuard', () => {
  it('throws ForbiddenAddressError for an internal target', async () => {
    const guard = createTargetGuard(strict, lookup);
    await expect(guard(new URL('http://mixed.test/'), new AbortController().signal)).rejects.toBeInstanceOf(ForbiddenAddressError);
    await expect(guard(new URL('http://public.test/'), new AbortController().signal)).resolves.toBeUndefined();
  });

  it('gives up when the fetch is aborted while the resolver hangs', async () => {
    const guard = createTargetGuard(strict, () => new Promise(() => undefined));
    await expect(guard(new URL('http://slow.test/'), AbortSignal.timeout(20))).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});
