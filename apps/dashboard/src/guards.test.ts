import { describe, expect, it } from 'vitest';
import { BOARD_PATH, safeNext } from './auth';
import { isSameOrigin } from './csrf';

describe('isSameOrigin', () => {
  const request = (headers: Record<string, string>) => ({ headers });

  it('accepts an Origin, or lacking one a Referer, on the request host', () => {
    expect(isSameOrigin(request({ host: '127.0.0.1:3001', origin: 'http://127.0.0.1:3001' }))).toBe(true);
    expect(isSameOrigin(request({ host: 'Dash.Example.com', origin: 'https://dash.example.com' }))).toBe(true);
    // Default ports are the same host as no port.
    expect(isSameOrigin(request({ host: 'dash.example.com:443', origin: 'https://dash.example.com' }))).toBe(true);
    expect(isSameOrigin(request({ host: '127.0.0.1:3001', referer: 'http://127.0.0.1:3001/admin/queues?x=1' }))).toBe(true);
  });

  it('refuses other hosts and ports, opaque or missing origins, and other schemes', () => {
    const refused: Array<Record<string, string>> = [
      { host: '127.0.0.1:3001', origin: 'http://127.0.0.1:3002' },
      { host: '127.0.0.1:3001', origin: 'http://localhost:3001' },
      { host: 'dash.example.com', origin: 'https://dash.example.com.evil.example' },
      { host: '127.0.0.1:3001', origin: 'null' },
      { host: '127.0.0.1:3001', origin: 'null', referer: 'http://127.0.0.1:3001/' },
      { host: '127.0.0.1:3001', origin: 'http://evil.example', referer: 'http://127.0.0.1:3001/' },
      { host: '127.0.0.1:3001', referer: 'file:///tmp/x.html' },
      { host: '127.0.0.1:3001', origin: 'not a url' },
      { host: '127.0.0.1:3001' },
      { origin: 'http://127.0.0.1:3001' },
    ];
    for (const headers of refused) expect(isSameOrigin(request(headers)), JSON.stringify(headers)).toBe(false);
  });
});

describe('safeNext', () => {
  it('keeps paths on the board, with their query', () => {
    for (const path of [BOARD_PATH, `${BOARD_PATH}/`, `${BOARD_PATH}/queue/compute?status=failed`, `${BOARD_PATH}/queue/compute/12`, `${BOARD_PATH}?x=1`]) {
      expect(safeNext(path)).toBe(path);
    }
  });

  it('turns everything else into the board', () => {
    const refused = [
      undefined,
      ['x'],
      '',
      '/',
      '/login',
      '//evil.example',
      '/\\evil.example',
      'https://evil.example/admin/queues',
      `${BOARD_PATH}//evil.example`,
      `${BOARD_PATH}/../../login`,
      `${BOARD_PATH}/%2E%2E/x`,
      `${BOARD_PATH}X`,
      `${BOARD_PATH}/ x`,
      `${BOARD_PATH}/\u00e9`,
      `${BOARD_PATH}/${'a'.repeat(3_000)}`,
    ];
    for (const candidate of refused) expect(safeNext(candidate), String(candidate)).toBe(BOARD_PATH);
  });
});
