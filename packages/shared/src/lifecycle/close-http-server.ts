import type { Server } from 'node:http';

/** Stops accepting connections, lets in-flight requests finish, and drops idle keep-alive sockets. */
export function closeHttpServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  server.closeIdleConnections();
  return closed;
}
