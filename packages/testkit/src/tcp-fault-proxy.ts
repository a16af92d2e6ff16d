import { createServer, connect, isIP, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpFaultProxyOptions {
  /**
   * Where connections go: `'127.0.0.1:6379'`, `{ host, port }`, or a URL such as
   * `redis://:pw@127.0.0.1:6379/0` (then {@link TcpFaultProxy.url} is that URL
   * with the proxy's host and port). Loopback only.
   */
  target: string | { host?: string; port: number };
}

/** What went through the proxy since it was made. */
export interface TcpFaultProxyCounters {
  /** Connections accepted from clients. */
  accepted: number;
  /** Connections open now. */
  open: number;
  /** Connections the proxy cut: {@link TcpFaultProxy.reset}, a drop after N bytes, a lost reply. */
  cut: number;
  /** Bytes forwarded client → target. */
  bytesFromClient: number;
  /** Bytes forwarded target → client. */
  bytesToClient: number;
}

export interface DropAfterBytesOptions {
  /**
   * Start counting at the first byte of this sequence (e.g. a command name or a
   * key), instead of at the next byte the client sends. @defaultValue none
   */
  after?: string | Buffer;
}

/**
 * Test-only: a TCP proxy on 127.0.0.1 in front of one loopback target (a
 * private redis-server), that makes connection faults on demand. Every fault
 * acts on real sockets, so the client sees what it would see on a bad network:
 * `ECONNRESET`, a connection that says nothing, `ECONNREFUSED`, a command cut
 * halfway, a command that ran but whose reply never came.
 */
export interface TcpFaultProxy {
  /** The target URL pointed at the proxy when the target was given as a URL; otherwise `tcp://127.0.0.1:PORT`. */
  url: string;
  host: '127.0.0.1';
  port: number;
  /** `127.0.0.1:PORT`. */
  hostPort: string;
  readonly counters: Readonly<TcpFaultProxyCounters>;
  readonly stalled: boolean;
  readonly refusing: boolean;
  /** Cuts every open connection now: the client gets a TCP reset (`ECONNRESET`), the target a close. */
  reset(): void;
  /**
   * Stops forwarding both ways on every connection, open or new, and keeps the
   * sockets open: a network that went silent. Closes still pass.
   */
  stall(): void;
  /** Forwards again, including what queued up while stalled. */
  resume(): void;
  /** Stops listening, so new connections get `ECONNREFUSED`; open ones go on. */
  refuseNew(): Promise<void>;
  /** Listens again, on the same port. */
  acceptNew(): Promise<void>;
  /**
   * One shot: forwards the next `bytes` bytes the client sends (counted from the
   * `after` sequence when given) on whichever connection sends them, then cuts
   * that connection: the target sees a command cut halfway, the client a reset.
   * Resolves when the cut happened.
   */
  dropAfterClientBytes(bytes: number, options?: DropAfterBytesOptions): Promise<void>;
  /**
   * One shot: the next time a client sends data containing `pattern`, that data
   * reaches the target in full, and the connection is cut as soon as the target
   * answers, before any of the answer is forwarded: the command ran, the client
   * never learns it. Resolves when the cut happened.
   */
  loseReplyTo(pattern: string | Buffer): Promise<void>;
  /** Cuts everything and stops listening, for good. */
  close(): Promise<void>;
}

/** One client connection and its connection to the target. */
interface Link {
  client: Socket;
  upstream: Socket;
  /** Backpressure: the other side's write buffer is full. */
  clientBlocked: boolean;
  upstreamBlocked: boolean;
  /** The last bytes seen from the client, so a pattern split over two chunks is still found. */
  clientTail: Buffer;
  /** Set once this link carried a `loseReplyTo` pattern: its next reply is dropped with the link. */
  loseReply?: () => void;
  closed: boolean;
}

/** An armed `dropAfterClientBytes`. */
interface ByteDrop {
  /** Bytes still to forward once counting started; `undefined` while waiting for `after`. */
  remaining: number | undefined;
  total: number;
  after?: Buffer;
  /** Counting happens on one connection only, the one it started on. */
  link?: Link;
  fired: () => void;
}

interface ReplyDrop {
  pattern: Buffer;
  fired: () => void;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1']);

function parseTarget(target: TcpFaultProxyOptions['target']): { host: string; port: number; url?: URL } {
  if (typeof target !== 'string') return { host: target.host ?? '127.0.0.1', port: target.port };
  if (target.includes('://')) {
    const url = new URL(target);
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port), url };
  }
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
  if (!match?.[1] || !match[2]) throw new Error(`tcp fault proxy: target must be host:port or a URL, got ${target}`);
  return { host: match[1], port: Number(match[2]) };
}

function indexAcross(tail: Buffer, chunk: Buffer, pattern: Buffer): number | undefined {
  const found = Buffer.concat([tail, chunk]).indexOf(pattern);
  // Position in `chunk`: negative when the pattern began in the previous chunk.
  return found < 0 ? undefined : found - tail.length;
}

export async function startTcpFaultProxy(options: TcpFaultProxyOptions): Promise<TcpFaultProxy> {
  const target = parseTarget(options.target);
  if (!LOOPBACK_NAMES.has(target.host) && !(isIP(target.host) === 4 && target.host.startsWith('127.'))) {
    throw new Error(`tcp fault proxy: only loopback targets, got ${target.host}`);
  }
  if (!Number.isInteger(target.port) || target.port <= 0) throw new Error('tcp fault proxy: target needs a port');

  const links = new Set<Link>();
  const counters: TcpFaultProxyCounters = { accepted: 0, open: 0, cut: 0, bytesFromClient: 0, bytesToClient: 0 };
  let stalled = false;
  let server: Server | undefined;
  let port = 0;
  let byteDrop: ByteDrop | undefined;
  let replyDrop: ReplyDrop | undefined;
  // Longest pattern armed so far: how much of each chunk to keep for matching across chunks.
  let keepTail = 0;

  /** Pauses or resumes reading on both sockets, from the stall and backpressure flags. */
  const updateFlow = (link: Link) => {
    if (link.closed) return;
    if (stalled || link.upstreamBlocked) link.client.pause();
    else link.client.resume();
    if (stalled || link.clientBlocked) link.upstream.pause();
    else link.upstream.resume();
  };

  const cut = (link: Link) => {
    if (link.closed) return;
    link.closed = true;
    counters.cut++;
    // A reset, not a FIN: what a client sees when a network path or a host dies.
    link.client.resetAndDestroy();
    link.upstream.destroy();
  };

  const toUpstream = (link: Link, data: Buffer) => {
    counters.bytesFromClient += data.length;
    if (!link.upstream.write(data)) {
      link.upstreamBlocked = true;
      updateFlow(link);
    }
  };

  /** Forwards `chunk` client → target, applying the armed one-shot faults. */
  const fromClient = (link: Link, chunk: Buffer) => {
    const tail = link.clientTail;
    if (keepTail > 0) {
      const joined = Buffer.concat([tail, chunk]);
      link.clientTail = joined.subarray(Math.max(0, joined.length - keepTail));
    }

    if (replyDrop && indexAcross(tail, chunk, replyDrop.pattern) !== undefined) {
      link.loseReply = replyDrop.fired;
      replyDrop = undefined;
    }

    const drop = byteDrop;
    if (drop && (!drop.link || drop.link === link)) {
      let start = 0;
      if (drop.remaining === undefined) {
        const at = drop.after ? indexAcross(tail, chunk, drop.after) : 0;
        if (at !== undefined) {
          // Bytes of the pattern that went out with the previous chunk count too.
          drop.remaining = Math.max(0, drop.total + Math.min(0, at));
          start = Math.max(0, at);
        }
      }
      if (drop.remaining !== undefined) {
        drop.link = link;
        const cutAt = start + drop.remaining;
        if (cutAt <= chunk.length) {
          byteDrop = undefined;
          const partial = chunk.subarray(0, cutAt);
          counters.bytesFromClient += partial.length;
          link.closed = true;
          counters.cut++;
          link.client.resetAndDestroy();
          // end(), not destroy(): the partial command must reach the target before the close.
          link.upstream.end(partial);
          drop.fired();
          return;
        }
        drop.remaining = cutAt - chunk.length;
      }
    }
    toUpstream(link, chunk);
  };

  const fromUpstream = (link: Link, chunk: Buffer) => {
    if (link.loseReply) {
      const fired = link.loseReply;
      link.loseReply = undefined;
      cut(link);
      fired();
      return;
    }
    counters.bytesToClient += chunk.length;
    if (!link.client.write(chunk)) {
      link.clientBlocked = true;
      updateFlow(link);
    }
  };

  const onConnection = (client: Socket) => {
    counters.accepted++;
    counters.open++;
    const upstream = connect(target.port, target.host);
    const link: Link = { client, upstream, clientBlocked: false, upstreamBlocked: false, clientTail: Buffer.alloc(0), closed: false };
    links.add(link);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('data', (chunk: Buffer) => fromClient(link, chunk));
    upstream.on('data', (chunk: Buffer) => fromUpstream(link, chunk));
    client.on('drain', () => {
      link.clientBlocked = false;
      updateFlow(link);
    });
    upstream.on('drain', () => {
      link.upstreamBlocked = false;
      updateFlow(link);
    });
    // Errors end the link like a close does; they are the faults this proxy exists to make.
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    const end = () => {
      if (!link.closed) {
        link.closed = true;
        client.destroy();
        upstream.destroy();
      }
    };
    client.once('close', () => {
      end();
      links.delete(link);
      counters.open--;
    });
    upstream.once('close', end);
    updateFlow(link);
  };

  const listen = async () => {
    const next = createServer(onConnection);
    await new Promise<void>((resolveListen, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolveListen());
    });
    next.on('error', () => undefined);
    port = (next.address() as AddressInfo).port;
    server = next;
  };
  /** Stops accepting at once; resolves when every connection the server accepted has closed. */
  const stopListening = () => {
    const current = server;
    server = undefined;
    return new Promise<void>((resolveClose) => (current ? current.close(() => resolveClose()) : resolveClose()));
  };

  await listen();
  let url = `tcp://127.0.0.1:${port}`;
  if (target.url) {
    const proxied = new URL(target.url.href);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(port);
    url = proxied.href;
  }

  const arm = (pattern: Buffer) => {
    keepTail = Math.max(keepTail, pattern.length - 1);
  };

  return {
    url,
    host: '127.0.0.1',
    port,
    hostPort: `127.0.0.1:${port}`,
    get counters() {
      return { ...counters };
    },
    get stalled() {
      return stalled;
    },
    get refusing() {
      return server === undefined;
    },
    reset() {
      for (const link of links) cut(link);
    },
    stall() {
      stalled = true;
      for (const link of links) updateFlow(link);
    },
    resume() {
      stalled = false;
      for (const link of links) updateFlow(link);
    },
    async refuseNew() {
      // Open connections go on, so do not wait for them to close.
      void stopListening();
    },
    async acceptNew() {
      if (!server) await listen();
    },
    dropAfterClientBytes(bytes, dropOptions = {}) {
      if (!Number.isInteger(bytes) || bytes < 0) throw new Error('tcp fault proxy: bytes must be an integer ≥ 0');
      const after = dropOptions.after === undefined ? undefined : Buffer.from(dropOptions.after);
      if (after) arm(after);
      return new Promise<void>((fired) => {
        byteDrop = { remaining: after ? undefined : bytes, total: bytes, after, fired };
      });
    },
    loseReplyTo(pattern) {
      const bytes = Buffer.from(pattern);
      if (bytes.length === 0) throw new Error('tcp fault proxy: pattern must not be empty');
      arm(bytes);
      return new Promise<void>((fired) => {
        replyDrop = { pattern: bytes, fired };
      });
    },
    async close() {
      const closed = stopListening();
      for (const link of links) cut(link);
      await closed;
    },
  };
}
