import { describe, expect, it } from 'vitest';
import { SESSION_LIFETIME_MS, SessionCodec, sessionCookie, sessionCookieName } from './session';

const secret = 'a session secret of well over thirty-two characters';

describe('SessionCodec', () => {
  const now = Date.UTC(2026, 0, 1);

  it('issues tokens that verify until they expire, 8 hours later', () => {
    const codec = new SessionCodec(secret);
    const { token, session } = codec.issue('viewer', 'viewer', now);
    expect(session).toEqual({ user: 'viewer', role: 'viewer', expiresAt: now + SESSION_LIFETIME_MS, id: expect.any(String) });
    expect(SESSION_LIFETIME_MS).toBe(8 * 3_600_000);
    expect(codec.verify(token, now)).toEqual(session);
    expect(codec.verify(token, now + SESSION_LIFETIME_MS - 1)).toEqual(session);
    expect(codec.verify(token, now + SESSION_LIFETIME_MS)).toBeUndefined();
    // Verified by any codec with the same key (a restarted process), by none with another.
    expect(new SessionCodec(secret).verify(token, now)).toEqual(session);
    expect(new SessionCodec(`${secret}!`).verify(token, now)).toBeUndefined();
  });

  it('refuses any change to a token', () => {
    const codec = new SessionCodec(secret);
    const { token } = codec.issue('viewer', 'viewer', now);
    const [, payload = '', mac = ''] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const reencode = (changes: Record<string, unknown>) => Buffer.from(JSON.stringify({ ...claims, ...changes })).toString('base64url');
    const tampered = [
      `v1.${reencode({ r: 'admin' })}.${mac}`,
      `v1.${reencode({ e: now + 100 * SESSION_LIFETIME_MS })}.${mac}`,
      `v1.${reencode({ u: 'admin' })}.${mac}`,
      `v2.${payload}.${mac}`,
      `v1.${payload}.${mac.toUpperCase()}`,
      `v1.${payload}.${mac}A`,
      `v1.${payload}.`,
      `v1.${payload}`,
      token.slice(1),
      '',
    ];
    for (const bad of tampered) expect(codec.verify(bad, now), bad).toBeUndefined();
    expect(codec.verify(undefined, now)).toBeUndefined();
  });

  it('accepts one spelling of a MAC only: the last character\'s spare bits may not vary', () => {
    const codec = new SessionCodec(secret);
    const { token } = codec.issue('viewer', 'viewer', now);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token.at(-1)!);
    // The last of 43 characters holds 4 bits of the MAC and 2 spare bits: flipping a spare bit decodes to the same bytes.
    const sameBytes = `${token.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(sameBytes.split('.')[2]!, 'base64url')).toEqual(Buffer.from(token.split('.')[2]!, 'base64url'));
    expect(codec.verify(token, now)).toBeDefined();
    expect(codec.verify(sameBytes, now)).toBeUndefined();
  });

  it('refuses a well-signed payload of the wrong shape', () => {
    const codec = new SessionCodec(secret);
    // sign() is the real signer; a role it does not know must still be refused on the way in.
    const token = codec.sign({ user: 'x', role: 'root' as 'admin', expiresAt: now + 1_000, id: 'i' });
    expect(codec.verify(token, now)).toBeUndefined();
  });

  it('revokes one session at logout and no other', () => {
    const codec = new SessionCodec(secret);
    const a = codec.issue('admin', 'admin', now);
    const b = codec.issue('admin', 'admin', now);
    codec.revoke(a.session, now);
    expect(codec.verify(a.token, now)).toBeUndefined();
    expect(codec.verify(b.token, now)).toEqual(b.session);
  });
});

describe('sessionCookie', () => {
  it('is HttpOnly, SameSite=Strict, Path=/, and Secure with the __Host- prefix when asked', () => {
    expect(sessionCookie('t', { secure: false, maxAgeMs: SESSION_LIFETIME_MS })).toBe('floodgate_session=t; Path=/; HttpOnly; SameSite=Strict; Max-Age=28800');
    expect(sessionCookie('t', { secure: true, maxAgeMs: SESSION_LIFETIME_MS })).toBe(
      '__Host-floodgate_session=t; Path=/; HttpOnly; SameSite=Strict; Max-Age=28800; Secure',
    );
    expect(sessionCookie(undefined, { secure: false, maxAgeMs: 0 })).toBe('floodgate_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
    expect(sessionCookieName(true)).toBe('__Host-floodgate_session');
  });
});
