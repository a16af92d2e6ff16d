import { createConnection, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { eachTestOnRedis, redisTest } from './fixtures';
import { startTcpFaultProxy, type TcpFaultProxy } from './tcp-fault-proxy';
import { waitFor } from './wait-for';

/** A Redis command in RESP, as client libraries send it. */
function resp(...args: string[]): Buffer {
  return Buffer.from(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`);
}

/** A raw connection that collects every byte it receives and how it ended. */
interface RawClient {
  socket: Socket;
  received: () => string;
  /** The error code the socket ended with (`ECONNRESET`…), once it closed. */
  ended: Promise<string | undefined>;
  /** Sends a command and waits for one complete reply line (and bulk body). */
  call(...args: string[]): Promise<string>;
}

async function rawClient(port: number): Promise<RawClient> {
  const socket = createConnection({ port, host: '127.0.0.1' });
  let buffer = '';
  let error: string | undefined;
  socket.on('data', (chunk: Buffer) => (buffer += chunk.toString('latin1')));
  socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code));
  const ended = new Promise<string | undefined>((resolve) => socket.once('close', () => resolve(error)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    received: () => buffer,
    ended,
    call(...args) {
      const start = buffer.length;
      return new Promise<string>((resolve, reject) => {
        const check = () => {
          const reply = completeReply(buffer.slice(start));
          if (reply === undefined) return;
          socket.off('data', check);
          socket.off('close', closed);
          resolve(reply);
        };
        const closed = () => reject(new Error(`connection closed before a reply to ${args[0]}`));
        // Registered after the collector above, so `buffer` already holds the chunk.
        socket.on('data', check);
        socket.once('close', closed);
        socket.write(resp(...args));
      });
    },
  };
}

/** The first whole reply in `text`, or undefined while it is still arriving. */
function completeReply(text: string): string | undefined {
  const lineEnd = text.indexOf('\r\n');
  if (lineEnd < 0) return undefined;
  const line = text.slice(0, lineEnd);
  if (!line.startsWith('$') || line === '$-1') return line;
  const length = Number(line.slice(1));
  const body = text.slice(lineEnd + 2, lineEnd + 2 + length);
  return body.length === length ? body : undefined;
}

function connectError(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code));
  });
}

/**
 * One private redis-server for the file; each test its own proxy in front of it (one it
 * stalls, resets or refuses with) and its own direct connection.
 */
const test = redisTest.extend<{ direct: RawClient; proxy: TcpFaultProxy }>({
  direct: eachTestOnRedis((redis) => rawClient(redis.port), (direct) => direct.socket.destroy()),
  proxy: eachTestOnRedis((redis) => startTcpFaultProxy({ target: redis.url }), (proxy) => proxy.close()),
});

/** Redis has closed every proxied connection (and earlier tests' direct ones), so it has run whatever reached it. */
const onlyDirectClientLeft = (direct: RawClient) =>
  waitFor(async () => (await direct.call('INFO', 'clients')).includes('connected_clients:1\r\n'), {
    description: 'Redis to see the proxied connections close',
  });

describe('startTcpFaultProxy (against a private redis-server)', () => {
  test('forwards both ways, names the proxied URL, and counts', async ({ redis, direct, proxy }) => {
    expect(proxy.url).toBe(`redis://127.0.0.1:${proxy.port}`);
    expect(proxy.port).not.toBe(redis.port);
    const before = proxy.counters;
    const client = await rawClient(proxy.port);
    expect(await client.call('SET', 'forwarded', 'yes')).toBe('+OK');
    expect(await direct.call('GET', 'forwarded')).toBe('yes');
    // A large value crosses many chunks and the write buffers both ways.
    const big = 'x'.repeat(4 * 1024 * 1024);
    expect(await client.call('SET', 'big', big)).toBe('+OK');
    expect((await client.call('GET', 'big')).length).toBe(big.length);
    const after = proxy.counters;
    expect(after.accepted).toBe(before.accepted + 1);
    expect(after.open).toBe(before.open + 1);
    expect(after.bytesFromClient - before.bytesFromClient).toBeGreaterThan(big.length);
    expect(after.bytesToClient - before.bytesToClient).toBeGreaterThan(big.length);
    client.socket.destroy();
    await client.ended;
    await waitFor(() => proxy.counters.open === before.open, { description: 'the link to close' });
  });

  test('reset cuts every open connection with ECONNRESET and keeps accepting new ones', async ({ proxy }) => {
    const first = await rawClient(proxy.port);
    const second = await rawClient(proxy.port);
    expect(await first.call('PING')).toBe('+PONG');
    expect(await second.call('PING')).toBe('+PONG');
    const cutBefore = proxy.counters.cut;
    proxy.reset();
    expect(await first.ended).toBe('ECONNRESET');
    expect(await second.ended).toBe('ECONNRESET');
    expect(proxy.counters.cut).toBe(cutBefore + 2);
    const third = await rawClient(proxy.port);
    expect(await third.call('PING')).toBe('+PONG');
    third.socket.destroy();
  });

  test('stall holds commands and replies with the socket open; resume delivers them', async ({ direct, proxy }) => {
    await direct.call('DEL', 'stalled');
    const client = await rawClient(proxy.port);
    proxy.stall();
    expect(proxy.stalled).toBe(true);
    client.socket.write(resp('INCR', 'stalled'));
    // Many round trips on the direct connection: a forwarded INCR would have run by now.
    for (let i = 0; i < 50; i++) expect(await direct.call('GET', 'stalled')).toBe('$-1');
    expect(client.received()).toBe('');
    expect(client.socket.destroyed).toBe(false);
    // A connection made during the stall is held as well.
    const late = await rawClient(proxy.port);
    late.socket.write(resp('PING'));
    proxy.resume();
    await waitFor(() => client.received() === ':1\r\n', { description: 'the held INCR reply' });
    await waitFor(() => late.received() === '+PONG\r\n', { description: 'the held PING reply' });
    client.socket.destroy();
    late.socket.destroy();
  });

  test('refuseNew makes new connections fail with ECONNREFUSED while open ones go on; acceptNew listens again', async ({ proxy }) => {
    const open = await rawClient(proxy.port);
    await proxy.refuseNew();
    expect(proxy.refusing).toBe(true);
    expect(await connectError(proxy.port)).toBe('ECONNREFUSED');
    expect(await open.call('PING')).toBe('+PONG');
    await proxy.acceptNew();
    const again = await rawClient(proxy.port);
    expect(await again.call('PING')).toBe('+PONG');
    open.socket.destroy();
    again.socket.destroy();
  });

  test('dropAfterClientBytes cuts a command halfway: the client gets a reset, Redis never runs it', async ({ direct, proxy }) => {
    const client = await rawClient(proxy.port);
    expect(await client.call('PING')).toBe('+PONG');
    const command = resp('SET', 'half-sent', 'value');
    const dropped = proxy.dropAfterClientBytes(10, { after: 'half-sent' });
    const bytesBefore = proxy.counters.bytesFromClient;
    client.socket.write(command);
    await dropped;
    expect(await client.ended).toBe('ECONNRESET');
    // Everything up to the key's start, then 10 bytes of it: a command Redis cannot run.
    const keyStart = command.indexOf('half-sent');
    expect(proxy.counters.bytesFromClient - bytesBefore).toBe(keyStart + 10);
    await onlyDirectClientLeft(direct);
    expect(await direct.call('EXISTS', 'half-sent')).toBe(':0');
  });

  test('dropAfterClientBytes finds its start sequence across two writes, and counts from the next byte without one', async ({ direct, proxy }) => {
    const client = await rawClient(proxy.port);
    const dropped = proxy.dropAfterClientBytes(3, { after: 'split-key' });
    const sent = proxy.counters.bytesFromClient;
    const command = resp('SET', 'split-key', 'v');
    const splitAt = command.indexOf('split-key') + 4;
    client.socket.write(command.subarray(0, splitAt));
    await waitFor(() => proxy.counters.bytesFromClient === sent + splitAt, { description: 'the first half forwarded' });
    client.socket.write(command.subarray(splitAt));
    await dropped;
    expect(await client.ended).toBe('ECONNRESET');
    // 4 bytes of the key went with the first write: the drop had already passed its 3.
    expect(proxy.counters.bytesFromClient - sent).toBe(splitAt);
    await onlyDirectClientLeft(direct);
    expect(await direct.call('EXISTS', 'split-key')).toBe(':0');

    const next = await rawClient(proxy.port);
    const nextDropped = proxy.dropAfterClientBytes(0);
    next.socket.write(resp('SET', 'never-sent', 'v'));
    await nextDropped;
    expect(await next.ended).toBe('ECONNRESET');
    await onlyDirectClientLeft(direct);
    expect(await direct.call('EXISTS', 'never-sent')).toBe(':0');
  });

  test('loseReplyTo lets the command run and cuts the connection before its reply', async ({ direct, proxy }) => {
    await direct.call('DEL', 'ran-unseen');
    const client = await rawClient(proxy.port);
    const bystander = await rawClient(proxy.port);
    const cut = proxy.loseReplyTo('ran-unseen');
    expect(await bystander.call('PING')).toBe('+PONG');
    client.socket.write(resp('INCR', 'ran-unseen'));
    await cut;
    expect(await client.ended).toBe('ECONNRESET');
    expect(client.received()).toBe('');
    expect(await direct.call('GET', 'ran-unseen')).toBe('1');
    // Only the connection that sent it was cut.
    expect(await bystander.call('PING')).toBe('+PONG');
    bystander.socket.destroy();
  });

  it('refuses non-loopback targets', async () => {
    await expect(startTcpFaultProxy({ target: '10.0.0.1:6379' })).rejects.toThrow(/loopback/);
  });
});
