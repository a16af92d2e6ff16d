import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Use } from '@floodgate/testkit/fixtures';
import type { PrivateRedisFixtures } from './private-redis-fixture';

/**
 * A page that answers only when told: a page-extract job fetching it is a
 * long-running handler whose end the test decides.
 */
export interface HeldPage {
  url: string;
  /** Requests received so far. */
  requests: number;
  /** Pages sent in full. */
  served: number;
  /** Answers every held request, and every later one at once. */
  release(): void;
  close(): Promise<void>;
}

export async function startHeldPage(): Promise<HeldPage> {
  const held: ServerResponse[] = [];
  let released = false;
  const page: HeldPage = {
    url: '',
    requests: 0,
    served: 0,
    release() {
      released = true;
      for (const res of held.splice(0)) answer(res);
    },
    async close() {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
  const answer = (res: ServerResponse) => {
    res.once('finish', () => page.served++);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<title>held</title><p>at last</p>');
  };
  const server: Server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    page.requests++;
    if (released) answer(res);
    else held.push(res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  page.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/page`;
  return page;
}

/**
 * A per-test fixture of a {@link HeldPage}, for an extension of a `privateRedisTestWith` test: after
 * the test the processes are killed first (the page must not close under a handler still fetching it),
 * then the page closes.
 */
export async function heldPage({ killProcesses }: Pick<PrivateRedisFixtures, 'killProcesses'>, use: Use<HeldPage>): Promise<void> {
  const page = await startHeldPage();
  await use(page);
  await killProcesses();
  await page.close();
}
