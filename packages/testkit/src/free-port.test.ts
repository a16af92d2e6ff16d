import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePortRun } from './free-port';

describe('freePortRun', () => {
  it('gives a run of ports below the ephemeral range that can all be listened on', async () => {
    const base = await freePortRun(4);
    expect(base).toBeGreaterThanOrEqual(20_000);
    expect(base + 4).toBeLessThanOrEqual(32_768);
    const servers = await Promise.all(
      [0, 1, 2, 3].map(
        (n) =>
          new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
            const server = createServer();
            server.once('error', reject);
            server.listen(base + n, '127.0.0.1', () => resolve(server));
          }),
      ),
    );
    await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  });
});
