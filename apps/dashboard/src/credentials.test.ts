import { describe, expect, it } from 'vitest';
import { resolveCredentials } from './credentials';

describe('resolveCredentials', () => {
  it('uses the configured password', () => {
    expect(resolveCredentials({ user: 'ops', password: 's3cret' })).toEqual({ user: 'ops', password: 's3cret', generated: false });
  });

  it('generates a long random password when none is set, and says so', () => {
    const a = resolveCredentials({ user: 'admin' });
    const b = resolveCredentials({ user: 'admin', password: undefined });
    expect(a).toMatchObject({ user: 'admin', generated: true });
    expect(b.generated).toBe(true);
    // base64url: safe to type and to put in a URL; 24 characters carry 144 random bits.
    expect(a.password).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(a.password.length).toBeGreaterThanOrEqual(20);
    expect(a.password).not.toBe(b.password);
  });
});
