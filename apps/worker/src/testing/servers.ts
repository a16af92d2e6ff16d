import type { Server as HttpServer } from 'node:http';
import type { Server } from 'node:net';

/** Test-only: starts `server` listening on a free port of 127.0.0.1, and hands it back once it is. */
export async function listen<S extends Server>(server: S): Promise<S> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Test-only: closes a server {@link listen} started, an HTTP server's open connections first. */
export async function closeServer(server: Server): Promise<void> {
  (server as Partial<Pick<HttpServer, 'closeAllConnections'>>).closeAllConnections?.();
  await new Promise((resolve) => server.close(resolve));
}
