import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { REDACTED_PATHS } from './create-logger';

describe('log redaction', () => {
  it('never writes passwords, API keys, cookies or Redis URLs', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
    const secret = 'fg_0123456789ab_SECRETSECRETSECRETSECRETSECRETSECRETSECRE';
    logger.info({
      password: 'hunter2-hunter2',
      apiKey: secret,
      redisUrl: 'redis://:pw@redis:6379',
      req: { headers: { authorization: `Bearer ${secret}`, cookie: 'fg_session=abc', 'x-api-key': secret } },
      dashboard: { password: 'x', secret: 'session-secret' },
    });
    const written = lines.join('');
    for (const leak of [secret, 'hunter2', ':pw@', 'fg_session=abc', 'session-secret']) expect(written).not.toContain(leak);
    expect(written).toContain('[redacted]');
  });
});
