import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProxyList, parseProxyList, proxyIdOf } from './proxy-list';

describe('parseProxyList', () => {
  it('reads comma-separated URLs, keeping credentials only in `url`', () => {
    const [a, b] = parseProxyList(' http://alice:s3cret@10.0.0.5:3128 , http://proxy.example:8080/', 'FETCH_PROXIES');
    expect(a).toEqual({ id: '10.0.0.5_3128', hostPort: '10.0.0.5:3128', url: 'http://alice:s3cret@10.0.0.5:3128/', masked: 'http://***:***@10.0.0.5:3128' });
    expect(b).toMatchObject({ hostPort: 'proxy.example:8080', masked: 'http://proxy.example:8080' });
  });

  it("writes out the scheme's default port, and makes IPv6 hosts key-safe", () => {
    expect(parseProxyList('http://p.example, https://q.example, http://[::1]:3128', 'x').map((p) => [p.hostPort, p.id])).toEqual([
      ['p.example:80', 'p.example_80'],
      ['q.example:443', 'q.example_443'],
      ['[::1]:3128', '___1__3128'],
    ]);
    expect(proxyIdOf('Proxy.Example:80')).toBe('proxy.example_80');
  });

  it('skips blank lines and # comments (file form)', () => {
    expect(parseProxyList('# exits\n\nhttp://a.example:1\r\n  # off: http://b.example:2\nhttp://c.example:3\n', 'f').map((p) => p.hostPort)).toEqual([
      'a.example:1',
      'c.example:3',
    ]);
  });

  it.each([
    ['not a url', /FETCH_PROXIES entry 1 is not a URL/],
    ['socks5://u:pw-leak@h.example:1080', /entry 1 \(socks5:\/\/\*\*\*:\*\*\*@h\.example:1080\) must be an http/],
    ['http://u:pw-leak@h.example:8080/path', /must be only scheme, credentials, host and port/],
    ['http://h.example:8080/?pw-leak', /must be only scheme/],
  ])('refuses %s without quoting credentials', (entry, message) => {
    let error: Error | undefined;
    try {
      parseProxyList(entry, 'FETCH_PROXIES');
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('pw-leak');
  });
});

describe('loadProxyList', () => {
  const dir = mkdtempSync(join(tmpdir(), 'floodgate-proxies-'));

  it('is empty with neither source: direct fetching', () => {
    expect(loadProxyList({})).toEqual([]);
  });

  it('reads FETCH_PROXIES and FETCH_PROXIES_FILE together', () => {
    const file = join(dir, 'proxies.txt');
    writeFileSync(file, 'http://u:p@b.example:2\n');
    expect(loadProxyList({ list: 'http://a.example:1', file }).map((p) => p.hostPort)).toEqual(['a.example:1', 'b.example:2']);
  });

  it('refuses the same host:port twice, and a missing file', () => {
    const file = join(dir, 'twice.txt');
    writeFileSync(file, 'http://other:cred@a.example:1\n');
    expect(() => loadProxyList({ list: 'http://a.example:1', file })).toThrow(/a\.example:1 is listed twice/);
    expect(() => loadProxyList({ file: join(dir, 'nope.txt') })).toThrow(/does not exist/);
  });
});
