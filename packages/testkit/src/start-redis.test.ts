import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from './free-port';
import { startRedis } from './start-redis';
import { waitFor } from './wait-for';

/** Sends one inline Redis command and returns the first reply line. */
function command(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write(`${line}\r\n`));
    socket.once('data', (data) => {
      resolve(data.toString().split('\r\n')[0] ?? '');
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

describe('startRedis', () => {
  it('runs a private server on a free port, never 6379, and stops it', async () => {
    const redis = await startRedis({ maxmemory: '8mb' });
    expect(redis.port).not.toBe(6379);
    expect(await command(redis.port, 'PING')).toBe('+PONG');
    expect(await command(redis.port, 'CONFIG GET maxmemory-policy')).toBe('*2');
    await redis.stop();
    await expect(command(redis.port, 'PING')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('keeps data across kill and restart with the append-only file', async () => {
    const redis = await startRedis({ appendonly: true });
    expect(await command(redis.port, 'SET survivor 1')).toBe('+OK');
    await redis.kill();
    await redis.restart();
    expect(await command(redis.port, 'GET survivor')).toBe('$1');
    await redis.stop();
  });

  it('requires the password when one is set', async () => {
    const redis = await startRedis({ password: 'pw' });
    expect(await command(redis.port, 'PING')).toMatch(/^-NOAUTH/);
    expect(redis.url).toBe(`redis://:pw@127.0.0.1:${redis.port}`);
    await redis.stop();
  });
});

describe('waitFor and freePort', () => {
  it('returns the first truthy value, and times out with the description', async () => {
    let calls = 0;
    expect(await waitFor(() => (++calls >= 3 ? 'done' : undefined), { intervalMs: 1 })).toBe('done');
    await expect(waitFor(() => false, { timeoutMs: 30, intervalMs: 5, description: 'never' })).rejects.toThrow(/waiting for never/);
  });

  it('hands out usable ports', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65_536);
  });
});
