import { once } from 'node:events';
import { createServer, request } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startForwardProxy } from './forward-proxy';

/** Each test's own site behind the proxies: an HTTP server on loopback that says hello to every path; its port. */
const test = it.extend<{ sitePort: number }>({
  // eslint-disable-next-line no-empty-pattern
  sitePort: async ({}, use) => {
    const site = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`hello ${req.url}`)).listen(0, '127.0.0.1');
    await once(site, 'listening');
    await use((site.address() as AddressInfo).port);
    site.closeAllConnections();
    await new Promise((resolve) => site.close(resolve));
  },
});

/** A raw CONNECT, then a GET through the tunnel; resolves with everything the proxy sent back. */
function tunnelGet(proxyPort: number, authority: string, auth?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxyPort, '127.0.0.1');
    let text = '';
    let sentGet = false;
    socket.on('data', (chunk) => {
      text += chunk.toString();
      if (!sentGet && text.startsWith('HTTP/1.1 200')) {
        sentGet = true;
        socket.write(`GET /tunnelled HTTP/1.1\r\nhost: ${authority}\r\nconnection: close\r\n\r\n`);
      }
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n${auth ? `proxy-authorization: ${auth}\r\n` : ''}\r\n`);
  });
}

/** An absolute-form GET to the proxy. */
function absoluteGet(proxyPort: number, url: string, auth?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxyPort, path: url, headers: auth ? { 'proxy-authorization': auth } : {} }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startForwardProxy', () => {
  test('tunnels CONNECT and forwards absolute-form GETs', async ({ sitePort }) => {
    const proxy = await startForwardProxy();
    try {
      expect(await tunnelGet(proxy.port, `127.0.0.1:${sitePort}`)).toMatch(/^HTTP\/1\.1 200 Connection Established[\s\S]*hello \/tunnelled/);
      expect(await absoluteGet(proxy.port, `http://127.0.0.1:${sitePort}/plain?x=1`)).toEqual({ status: 200, body: 'hello /plain?x=1' });
      expect([proxy.tunnels, proxy.forwarded]).toEqual([1, 1]);
      expect(proxy.hostPort).toBe(`127.0.0.1:${proxy.port}`);
    } finally {
      await proxy.close();
    }
  });

  test('answers 407 without the right credentials, and routes made-up hosts to loopback only', async ({ sitePort }) => {
    const proxy = await startForwardProxy({ auth: { username: 'u', password: 'p w' }, route: (authority) => authority.replace('site.test', '127.0.0.1') });
    try {
      expect(proxy.url).toBe(`http://u:p%20w@127.0.0.1:${proxy.port}`);
      const good = `Basic ${Buffer.from('u:p w').toString('base64')}`;
      expect(await tunnelGet(proxy.port, `site.test:${sitePort}`)).toMatch(/^HTTP\/1\.1 407/);
      expect((await absoluteGet(proxy.port, `http://site.test:${sitePort}/`, 'Basic bm9wZQ==')).status).toBe(407);
      expect(await tunnelGet(proxy.port, `site.test:${sitePort}`, good)).toMatch(/hello \/tunnelled/);
      expect((await absoluteGet(proxy.port, 'http://example.com:80/', good)).status).toBe(403);
      expect(await tunnelGet(proxy.port, `127.0.0.1:1`, good)).toMatch(/^HTTP\/1\.1 502/);
      expect(proxy.refused).toBe(2);
    } finally {
      await proxy.close();
    }
  });

  test('stops like a killed process (open tunnels cut) and starts again on the same port', async ({ sitePort }) => {
    const proxy = await startForwardProxy();
    const socket = connect(proxy.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`CONNECT 127.0.0.1:${sitePort} HTTP/1.1\r\n\r\n`);
    await once(socket, 'data');
    const cut = once(socket, 'close');
    await proxy.stop();
    await cut;
    expect(proxy.running).toBe(false);
    await expect(absoluteGet(proxy.port, `http://127.0.0.1:${sitePort}/`)).rejects.toThrow(/ECONNREFUSED/);
    await proxy.start();
    expect((await absoluteGet(proxy.port, `http://127.0.0.1:${sitePort}/again`)).body).toBe('hello /again');
    await proxy.close();
  });
});
