import { createConnection } from 'node:net';
import { waitFor } from '@floodgate/testkit';
import { describe, expect } from 'vitest';
import { apiTest as test } from '../testing/api-test';

/** Everything the server sent before it closed the connection, or the error that ended it. */
function rawExchange(url: string, request: string): Promise<{ response: string; error?: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    let response = '';
    const socket = createConnection({ host: hostname, port: Number(port) }, () => socket.end(request));
    socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
    socket.once('error', (err: NodeJS.ErrnoException) => resolve({ response, error: err.code }));
    socket.once('close', () => resolve({ response }));
  });
}

describe('request headers over the limit', () => {
  test('answers one 64 KB header with a JSON 431, not a reset connection', async ({ api }) => {
    const res = await api.request('GET', '/v1/job-types', { headers: { 'x-padding': 'a'.repeat(64 * 1024) } });
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ error: { code: 'headers_too_large' } });
  });

  test('says so on a raw connection too, and closes it cleanly', async ({ api }) => {
    const { response, error } = await rawExchange(api.url, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    expect(error).toBeUndefined();
    expect(response).toMatch(/^HTTP\/1\.1 431 /);
    expect(response).toContain('"headers_too_large"');
  });

  test('answers it on a kept-alive connection, after an earlier answer', async ({ api }) => {
    const { hostname, port } = new URL(api.url);
    const socket = createConnection({ host: hostname, port: Number(port) });
    let response = '';
    let error: string | undefined;
    socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
    socket.once('error', (err: NodeJS.ErrnoException) => (error = err.code));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor(() => /^HTTP\/1\.1 200 [^]*\r\n\r\n[^]+/.test(response), { description: 'the first answer' });
    socket.end(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    await closed;
    expect(error).toBeUndefined();
    expect(response).toMatch(/HTTP\/1\.1 431 [^]*"headers_too_large"/);
  });

  test('still serves the next request', async ({ api }) => {
    // After headers over the limit, on this test's own API.
    expect((await api.request('GET', '/v1/job-types', { headers: { 'x-padding': 'a'.repeat(64 * 1024) } })).status).toBe(431);
    expect((await rawExchange(api.url, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(64 * 1024)}\r\n\r\n`)).response).toMatch(/^HTTP\/1\.1 431 /);
    expect((await api.request('GET', '/healthz')).status).toBe(200);
  });
});
