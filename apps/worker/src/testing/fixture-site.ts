import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Test-only: a local site on 127.0.0.1 serving the pages page-extract tests fetch. */
export interface FixtureSite {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Requests served per path, e.g. to count retries. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

export const ARTICLE_HTML = `<!doctype html>
<html><head>
  <title>  Flood   Gates </title>
  <meta name="description" content="How gates hold water.">
  <style>.hidden { display: none }</style>
</head><body>
  <h1>Gates</h1><p>Water   is held.</p>
  <script>console.log('not text')</script>
  <a href="/about">About</a> <a href="about#team">About again</a> <a href="/about#team">Team</a>
  <a href="https://example.com/x">Elsewhere</a> <a href="mailto:a@example.com">Mail</a>
  <a href="javascript:void 0">JS</a>
</body></html>`;

/**
 * Paths: `/article` (HTML), `/redirect` (302 to /article), `/loop` (redirects to
 * itself), `/slow` (never answers until closed), `/big` (chunked HTML larger
 * than `bigBytes`), `/unavailable` (503), `/json` (application/json),
 * `/missing` (404).
 */
export async function startFixtureSite(options: { bigBytes: number }): Promise<FixtureSite> {
  const hits = new Map<string, number>();
  const stalled = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://fixture').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const html = (status: number, body: string) => res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(body);
    switch (path) {
      case '/article':
        return html(200, ARTICLE_HTML);
      case '/redirect':
        return res.writeHead(302, { location: '/article' }).end();
      case '/loop':
        return res.writeHead(302, { location: '/loop' }).end();
      case '/slow':
        stalled.add(res);
        return res.once('close', () => stalled.delete(res));
      case '/big': {
        res.writeHead(200, { 'content-type': 'text/html' });
        const chunk = `<p>${'x'.repeat(1_000)}</p>`;
        for (let sent = 0; sent <= options.bigBytes; sent += chunk.length) res.write(chunk);
        return res.end();
      }
      case '/unavailable':
        return html(503, '<title>down</title>');
      case '/json':
        return res.writeHead(200, { 'content-type': 'application/json' }).end('{"title":"no"}');
      default:
        return html(404, '<title>not here</title>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    async close() {
      for (const res of stalled) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
