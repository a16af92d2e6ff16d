import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlowSite {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  /** Requests being held right now. */
  readonly inFlight: number;
  close(): Promise<void>;
}

/**
 * A local site that answers every request with a tiny page after `delayMs`:
 * the I/O wait of a real fetch, without the internet. Loopback only.
 */
export async function startSlowSite(delayMs: number): Promise<SlowSite> {
  let inFlight = 0;
  const server: Server = createServer((_req, res) => {
    inFlight++;
    setTimeout(() => {
      inFlight--;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html><head><title>slow</title></head><body><p>waited</p></body></html>');
    }, delayMs);
  });
  server.keepAliveTimeout = 60_000;
  // A deep accept queue: with thousands of connections at once, Node's default backlog (511) drops SYNs that the client
  // retries only a second later, a delay of the site's making (the kernel caps it at net.core.somaxconn).
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 65_535 }, resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    get inFlight() {
      return inFlight;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
