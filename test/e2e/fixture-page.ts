import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP server answering every path with one HTML page, for page-extract jobs. */
export interface FixturePage {
  /** The origin, e.g. `http://127.0.0.1:41234` (any path answers the page). */
  readonly origin: string;
  stop(): Promise<void>;
}

export async function serveFixturePage(html: string): Promise<FixturePage> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
