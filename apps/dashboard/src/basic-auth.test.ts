import { createLogger } from '@floodgate/shared/logger';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, parseBasicAuthorization, WWW_AUTHENTICATE } from './basic-auth';
import { basic, serve, type Served } from './testing/serve';

// Colons and non-ASCII: the password is everything after the first colon, read as UTF-8.
const credentials = { user: 'ops', password: 'pä:ss wörd' };

describe('basicAuth', () => {
  let served: Served;

  beforeAll(async () => {
    const app = express();
    app.use(basicAuth(credentials, { logger: createLogger({ name: 'test', level: 'silent', pretty: false }) }));
    app.get('/secret', (_req, res) => void res.json({ ok: true }));
    served = await serve(app);
  });
  afterAll(() => served?.close());

  const get = (authorization?: string) => fetch(`${served.url}/secret`, { headers: authorization === undefined ? {} : { authorization } });

  it('lets the right user and password through', async () => {
    const res = await get(basic(credentials.user, credentials.password));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    // The scheme name is case-insensitive (RFC 7617).
    expect((await get(basic(credentials.user, credentials.password).replace('Basic', 'basic'))).status).toBe(200);
  });

  it('answers 401 with a challenge and a JSON error to anything else', async () => {
    const wrong = [
      undefined,
      '',
      basic(credentials.user, 'pä:ss'),
      basic(credentials.user, `${credentials.password} `),
      basic('OPS', credentials.password),
      basic('', `${credentials.user}:${credentials.password}`),
      `Bearer ${credentials.password}`,
      'Basic !!!not-base64!!!',
      `Basic ${Buffer.from('no colon at all').toString('base64')}`,
    ];
    for (const authorization of wrong) {
      const res = await get(authorization);
      expect(res.status, String(authorization)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(WWW_AUTHENTICATE);
      expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    }
  });
});

describe('parseBasicAuthorization', () => {
  it('splits at the first colon only', () => {
    expect(parseBasicAuthorization(basic('u', 'a:b:c'))).toEqual({ user: 'u', password: 'a:b:c' });
    expect(parseBasicAuthorization(basic('u', ''))).toEqual({ user: 'u', password: '' });
  });

  it('rejects what is not a Basic header', () => {
    expect(parseBasicAuthorization(undefined)).toBeUndefined();
    expect(parseBasicAuthorization('Basic')).toBeUndefined();
    expect(parseBasicAuthorization('Digest abc')).toBeUndefined();
  });
});
