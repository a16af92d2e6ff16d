import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Where {@link freePortRun} looks: below Linux's default ephemeral range (32768–60999). */
const RUN_RANGE = { from: 20_000, to: 32_768 };

/**
 * The first of `count` consecutive TCP ports on 127.0.0.1, each free a moment
 * ago: for apps whose process N listens on base + N (pm2 instances' metrics
 * ports), bound only later, when pm2 starts or scales them. Taken below the
 * kernel's ephemeral range, so no outgoing connection (to Redis, to the API)
 * takes base + N in the meantime, as one picked by {@link freePort} could.
 */
export async function freePortRun(count: number): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const base = RUN_RANGE.from + Math.floor(Math.random() * (RUN_RANGE.to - RUN_RANGE.from - count));
    let free = true;
    for (let port = base; port < base + count && free; port++) free = await canListen(port);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports between ${RUN_RANGE.from} and ${RUN_RANGE.to}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
