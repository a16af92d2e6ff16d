import { describe, expect, it } from 'vitest';
import { authenticate, credentialProblems, resolveCredentials, resolveSessionSecret, type Account, type CredentialSettings } from './credentials';

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
    expect(a.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(a.password).not.toBe(b.password);
  });
});

describe('resolveSessionSecret', () => {
  it('uses the configured secret, or makes a 256-bit one for this run', () => {
    expect(resolveSessionSecret('configured')).toEqual({ secret: 'configured', generated: false });
    const generated = resolveSessionSecret(undefined);
    expect(generated.generated).toBe(true);
    expect(generated.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(resolveSessionSecret(undefined).secret).not.toBe(generated.secret);
  });
});

describe('authenticate', () => {
  const accounts: Account[] = [
    { user: 'admin', password: 'pä:ss wörd', role: 'admin' },
    { user: 'viewer', password: 'other one', role: 'viewer' },
  ];

  it('finds the account whose user and password both match, exactly', () => {
    expect(authenticate(accounts, 'admin', 'pä:ss wörd')?.role).toBe('admin');
    expect(authenticate(accounts, 'viewer', 'other one')?.role).toBe('viewer');
    for (const [user, password] of [
      ['admin', 'other one'],
      ['viewer', 'pä:ss wörd'],
      ['Admin', 'pä:ss wörd'],
      ['admin', 'pä:ss wörd '],
      ['admin', ''],
      ['', ''],
    ] as const) {
      expect(authenticate(accounts, user, password), `${user}/${password}`).toBeUndefined();
    }
  });
});

describe('credentialProblems', () => {
  const strong: CredentialSettings = {
    NODE_ENV: 'production',
    DASHBOARD_USER: 'admin',
    DASHBOARD_PASSWORD: 'Tq8#vLw2!mZr9pXe',
    DASHBOARD_VIEWER_USER: 'viewer',
    DASHBOARD_VIEWER_PASSWORD: 'n4Ki-Gx7u-Pd2s-Hq',
    DASHBOARD_SESSION_SECRET: 'k3X9pQ2vL8mZ4rT7wY1bN6cF5hJ0sD2gA',
  };
  const problemsWith = (changes: Partial<CredentialSettings>) => credentialProblems({ ...strong, ...changes });

  it('accepts strong, distinct credentials in production', () => {
    expect(credentialProblems(strong)).toEqual([]);
  });

  it('accepts anything outside production but two users of one name', () => {
    expect(credentialProblems({ NODE_ENV: 'development', DASHBOARD_USER: 'admin', DASHBOARD_VIEWER_USER: 'viewer', DASHBOARD_PASSWORD: 'admin' })).toEqual([]);
    expect(credentialProblems({ DASHBOARD_USER: 'admin', DASHBOARD_VIEWER_USER: 'viewer' })).toEqual([]);
    expect(credentialProblems({ DASHBOARD_USER: 'ops', DASHBOARD_VIEWER_USER: 'ops' })).toEqual([
      { variable: 'DASHBOARD_VIEWER_USER', problem: expect.stringMatching(/must differ from DASHBOARD_USER/) },
    ]);
  });

  it('refuses unset passwords and secret in production, naming each variable', () => {
    const problems = problemsWith({ DASHBOARD_PASSWORD: undefined, DASHBOARD_VIEWER_PASSWORD: undefined, DASHBOARD_SESSION_SECRET: undefined });
    expect(problems.map((p) => p.variable)).toEqual(['DASHBOARD_PASSWORD', 'DASHBOARD_VIEWER_PASSWORD', 'DASHBOARD_SESSION_SECRET']);
    for (const { problem } of problems) expect(problem).toBe('is required when NODE_ENV=production');
  });

  it('refuses short, default, user-named, repetitive and shared passwords', () => {
    const cases: Array<[Partial<CredentialSettings>, keyof CredentialSettings, RegExp]> = [
      [{ DASHBOARD_PASSWORD: 'Sh0rt!pass' }, 'DASHBOARD_PASSWORD', /at least 12 characters/],
      // 11 characters, even when some are two UTF-16 units.
      [{ DASHBOARD_PASSWORD: '🔑🔑🔑abcdefgh' }, 'DASHBOARD_PASSWORD', /at least 12 characters/],
      [{ DASHBOARD_PASSWORD: 'administrator' }, 'DASHBOARD_PASSWORD', /well-known/],
      [{ DASHBOARD_PASSWORD: 'Changeme2024!' }, 'DASHBOARD_PASSWORD', /well-known/],
      [{ DASHBOARD_PASSWORD: 'passwordpassword' }, 'DASHBOARD_PASSWORD', /well-known/],
      [{ DASHBOARD_PASSWORD: 'FLOODGATE-123456' }, 'DASHBOARD_PASSWORD', /well-known/],
      [{ DASHBOARD_PASSWORD: '123456789012' }, 'DASHBOARD_PASSWORD', /well-known/],
      [{ DASHBOARD_PASSWORD: 'correct horse battery staple' }, 'DASHBOARD_PASSWORD', /well-known/],
      [{ DASHBOARD_PASSWORD: 'abababababab' }, 'DASHBOARD_PASSWORD', /more than three different characters/],
      [{ DASHBOARD_USER: 'operations-lead', DASHBOARD_PASSWORD: 'Operations-Lead' }, 'DASHBOARD_PASSWORD', /must not equal DASHBOARD_USER/],
      [{ DASHBOARD_VIEWER_USER: 'read.only.person', DASHBOARD_VIEWER_PASSWORD: 'read.only.person' }, 'DASHBOARD_VIEWER_PASSWORD', /must not equal DASHBOARD_VIEWER_USER/],
      [{ DASHBOARD_VIEWER_PASSWORD: 'viewer' }, 'DASHBOARD_VIEWER_PASSWORD', /at least 12/],
      [{ DASHBOARD_VIEWER_PASSWORD: strong.DASHBOARD_PASSWORD }, 'DASHBOARD_VIEWER_PASSWORD', /must differ from DASHBOARD_PASSWORD/],
    ];
    for (const [changes, variable, problem] of cases) {
      expect(problemsWith(changes), JSON.stringify(changes)).toEqual([{ variable, problem: expect.stringMatching(problem) }]);
    }
  });

  it('refuses a short, default or reused session secret', () => {
    const cases: Array<[string, RegExp]> = [
      ['only-thirty-one-characters-long', /at least 32 characters/],
      ['changeme-changeme-changeme-changeme', /well-known/],
      ['x'.repeat(40), /more than three different characters/],
    ];
    for (const [secret, problem] of cases) {
      expect(problemsWith({ DASHBOARD_SESSION_SECRET: secret }), secret).toEqual([
        { variable: 'DASHBOARD_SESSION_SECRET', problem: expect.stringMatching(problem) },
      ]);
    }
    const long = 'a perfectly long password used twice';
    expect(problemsWith({ DASHBOARD_PASSWORD: long, DASHBOARD_SESSION_SECRET: long })).toEqual([
      { variable: 'DASHBOARD_SESSION_SECRET', problem: expect.stringMatching(/must not equal a password/) },
    ]);
  });

  it('never puts a value in a problem', () => {
    const weak = { DASHBOARD_PASSWORD: 'changeme', DASHBOARD_VIEWER_PASSWORD: 'Viewer-2024', DASHBOARD_SESSION_SECRET: 'tiny' };
    const text = JSON.stringify(problemsWith(weak));
    for (const value of Object.values(weak)) expect(text).not.toContain(value);
  });
});
