import { describe, expect, it } from 'vitest';
import { resolveCredentials } from './credentials';

describe('resolveCredentials', () => {
  it('uses the configured password', () => {
    expect(resolveCredentials('ops', 's3cret')).toEqual({ user: 'ops', password: 's3cret', generated: false });
  });

  it('generates a long random password when none is set', () => {
    const a = resolveCredentials('admin', undefined);
    const b = resolveCredentials('admin', undefined);
    expect(a.generated).toBe(true);
    expect(a.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(a.password).not.toBe(b.password);
  });
});
