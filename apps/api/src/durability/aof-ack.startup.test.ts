import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { freePort } from '@floodgate/testkit';
import { redisTestWith } from '@floodgate/testkit/fixtures';
import { describe, expect } from 'vitest';

/** The built API (`pnpm run build` first, as `npm test` does), started as pm2 would. */
const API_ENTRY = join(__dirname, '..', '..', 'dist', 'index.js');
/** A Redis with the append-only file on (REDIS_ACK_FSYNC asks for it). */
const test = redisTestWith({ appendonly: true });

describe('REDIS_ACK_FSYNC at start', () => {
  test('the API refuses to start, with a message naming WAITAOF and Redis 7.2, on a Redis without WAITAOF', { timeout: 60_000 }, async ({ redis, skip }) => {
    const [major, minor] = await redisServerVersion();
    // A redis-server 7.2+ has WAITAOF and would start: this test does not apply there (Debian 12 ships 7.0), and says so.
    if (major > 7 || (major === 7 && minor >= 2)) skip();
    const child = spawn(process.execPath, [API_ENTRY], {
      env: {
        ...process.env,
        REDIS_URL: redis.url,
        REDIS_ACK_FSYNC: 'true',
        API_PORT: String(await freePort()),
        API_METRICS_PORT: '0', API_HEALTH_PORT: '0',
        LOG_LEVEL: 'info',
        AUTH_DISABLED: 'true',
        NODE_ENV: 'development',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code, output).toBe(1);
    expect(output).toMatch(/refusing to start: REDIS_ACK_FSYNC=true/);
    expect(output).toMatch(/WAITAOF command \(Redis 7\.2 or later\)/);
  });
});

/** Major and minor of the redis-server the testkit runs (`redis-server --version` prints `v=7.0.15`). */
async function redisServerVersion(): Promise<[number, number]> {
  const child = spawn('redis-server', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await once(child, 'exit');
  const match = /v=(\d+)\.(\d+)/.exec(out);
  return [Number(match?.[1] ?? 0), Number(match?.[2] ?? 0)];
}
