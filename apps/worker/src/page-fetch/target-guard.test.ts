import { describe, expect, it } from 'vitest';
import { ForbiddenAddressError } from './guarded-agent';
import { createTargetGuard, type TargetLookup } from './target-guard';

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

const never = new AbortController().signal;

describe('createTargetGuard (the SSRF decision for a fetch through a proxy)', () => {
  const guard = createTargetGuard(strict, lookup);

  it('resolves the target itself and refuses it when any address is internal', async () => {
    await expect(guard(new URL('http://mixed.test/'), never)).rejects.toThrow(
      new ForbiddenAddressError('mixed.test', '192.168.1.20', 'private (192.168.0.0/16)'),
    );
    await expect(guard(new URL('https://metadata.test/latest'), never)).rejects.toBeInstanceOf(ForbiddenAddressError);
  });

  it('allows a target that resolves to public addresses only', async () => {
    await expect(guard(new URL('http://public.test:8080/a'), never)).resolves.toBeUndefined();
    await expect(guard(new URL('http://v6.test/'), never)).resolves.toBeUndefined();
  });

  it('leaves IP literals to the URL check, without a lookup', async () => {
    lookups.length = 0;
    await expect(guard(new URL('http://93.184.215.14/'), never)).resolves.toBeUndefined();
    await expect(guard(new URL('http://[2606:4700:4700::1111]/'), never)).resolves.toBeUndefined();
    expect(lookups).toEqual([]);
  });

  it('checks nothing when private networks are allowed (the proxy resolves)', async () => {
    lookups.length = 0;
    await expect(createTargetGuard({ allowPrivateNetworks: true }, lookup)(new URL('http://mixed.test/'), never)).resolves.toBeUndefined();
    expect(lookups).toEqual([]);
  });

  it('fails a name with no address as a lookup error, not a refusal', async () => {
    await expect(guard(new URL('http://nowhere.test/'), never)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('gives up when the fetch is aborted while the resolver hangs', async () => {
    const hanging = createTargetGuard(strict, () => new Promise(() => undefined));
    await expect(hanging(new URL('http://slow.test/'), AbortSignal.timeout(20))).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});
