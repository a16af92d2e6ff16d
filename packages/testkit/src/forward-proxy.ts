import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, isIP, type AddressInfo, type Socket } from 'node:net';

export interface ForwardProxyOptions {
  /** Require `Proxy-Authorization: Basic` with these; anything else is answered 407. */
  auth?: { username: string; password: string };
  /**
   * Where a request for `host:port` really goes (`'127.0.0.1:8080'`), so a test
   * can name a site by a made-up host, or send one proxy's traffic to another
   * server. @defaultValue the authority asked for
   */
  route?: (authority: string) => string;
}

/**
 * Test-only: an HTTP forward proxy on 127.0.0.1, speaking both forms clients
 * use: `CONNECT host:port` (a tunnel; what undici's ProxyAgent sends, for http
 * and https targets alike) and absolute-form requests (`GET http://host/path`).
 * It only ever connects to loopback addresses.
 */
export interface ForwardProxy {
  /** `http://127.0.0.1:PORT`, with `user:password@` when `auth` is set. */
  url: string;
  port: number;
  /** `127.0.0.1:PORT`: how results and metrics name this exit. */
  hostPort: string;
  /** Tunnels opened (CONNECT answered 200) since the proxy was made. */
  readonly tunnels: number;
  /** Absolute-form requests forwarded. */
  readonly forwarded: number;
  /** Requests answered 407. */
  readonly refused: number;
  readonly running: boolean;
  /** Stops listening and cuts every open connection and tunnel at once, like a killed process. */
  stop(): Promise<void>;
  /** Listens again, on the same port. */
  start(): Promise<void>;
  /** Stops for good. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const sockets = new Set<Socket>();
  let tunnels = 0;
  let forwarded = 0;
  let refused = 0;
  let server: Server | undefined;
  // A free port on first start; the same one on every restart.
  let port = 0;
  const expected = options.auth && `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`;
  const authorized = (req: IncomingMessage) => !expected || req.headers['proxy-authorization'] === expected;
  /** `host:port` after routing, or undefined when it is not a loopback target. */
  const resolve = (authority: string): { host: string; port: number; authority: string } | undefined => {
    const routed = options.route?.(authority) ?? authority;
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(routed);
    if (!match?.[1] || !match[2]) return undefined;
    const host = match[1];
    if (!LOOPBACK.has(host) && !(isIP(host) === 4 && host.startsWith('127.'))) return undefined;
    return { host, port: Number(match[2]), authority: routed };
  };
  const track = (socket: Socket) => {
    // A kept-alive upstream socket serves many requests: listen to it once.
    if (sockets.has(socket)) return;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };

  const onConnect = (req: IncomingMessage, client: Socket, head: Buffer) => {
    track(client);
    if (!authorized(req)) {
      refused++;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="testkit"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const target = resolve(req.url ?? '');
    if (!target) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = connect(target.port, target.host);
    track(upstream);
    let established = false;
    upstream.once('connect', () => {
      established = true;
      tunnels++;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.once('close', () => {
      // Could not reach the target: say so, as real proxies do. Otherwise the tunnel simply ends.
      if (!established && client.writable) client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      else client.destroy();
    });
    client.once('close', () => upstream.destroy());
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (!/^https?:\/\//i.test(req.url ?? '')) return void res.writeHead(400).end('absolute-form requests only');
    if (!authorized(req)) {
      refused++;
      return void res.writeHead(407, { 'proxy-authenticate': 'Basic realm="testkit"' }).end();
    }
    const url = new URL(req.url ?? '');
    if (url.protocol !== 'http:') return void res.writeHead(400).end('only http:// in absolute form; use CONNECT for https');
    const target = resolve(`${url.hostname}:${url.port || '80'}`);
    if (!target) return void res.writeHead(403).end();
    forwarded++;
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest({ host: target.host, port: target.port, method: req.method, path: `${url.pathname}${url.search}`, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.once('socket', track);
    upstream.once('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    req.pipe(upstream);
  };

  const listen = async () => {
    const next = createServer(onRequest);
    next.on('connect', onConnect);
    next.on('connection', track);
    next.keepAliveTimeout = 60_000;
    await new Promise<void>((resolveListen, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolveListen());
    });
    port = (next.address() as AddressInfo).port;
    server = next;
  };
  const stop = async () => {
    const current = server;
    server = undefined;
    if (!current) return;
    const closed = new Promise<void>((resolveClose) => current.close(() => resolveClose()));
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await closed;
  };

  await listen();
  const credentials = options.auth ? `${encodeURIComponent(options.auth.username)}:${encodeURIComponent(options.auth.password)}@` : '';
  return {
    url: `http://${credentials}127.0.0.1:${port}`,
    port,
    hostPort: `127.0.0.1:${port}`,
    get tunnels() {
      return tunnels;
    },
    get forwarded() {
      return forwarded;
    },
    get refused() {
      return refused;
    },
    get running() {
      return server !== undefined;
    },
    stop,
    async start() {
      if (!server) await listen();
    },
    close: stop,
  };
}
