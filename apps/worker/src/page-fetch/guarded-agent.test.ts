import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { createGuardedLookup, ForbiddenAddressError } from './guarded-agent';

/** Runs the guarded lookup on a name from /etc/hosts (no DNS traffic). */
function lookup(allowPrivateNetworks: boolean, all: boolean): Promise<{ err: Error | null; address: string | LookupAddress[] }> {
  return new Promise((resolve) => {
    createGuardedLookup({ allowPrivateNetworks })('localhost', { all }, (err, address) => resolve({ err, address }));
  });
}

describe('createGuardedLookup', () => {
  it('refuses a name that resolves to loopback', async () => {
    for (const all of [true, false]) {
      const { err } = await lookup(false, all);
      expect(err).toBeInstanceOf(ForbiddenAddressError);
      expect(err?.message).toMatch(/^localhost resolves to .*, which is loopback/);
    }
  });

  it('resolves it when private networks are allowed, in the shape the caller asked for', async () => {
    const many = await lookup(true, true);
    expect(many.err).toBeNull();
    expect(Array.isArray(many.address)).toBe(true);
    const one = await lookup(true, false);
    expect(one.err).toBeNull();
    expect(typeof one.address).toBe('string');
  });
});
