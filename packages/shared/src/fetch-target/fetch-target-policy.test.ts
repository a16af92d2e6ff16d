import { describe, expect, it } from 'vitest';
import { checkFetchTarget, forbiddenRangeOf, isForbiddenAddress } from './fetch-target-policy';

describe('isForbiddenAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['2002:7f00:1::', '6to4'],
    ['2001:0:4136:e378::1', 'Teredo'],
    ['64:ff9b:1::a00:1', 'NAT64 local-use'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd00:ec2::254', 'unique-local'],
    ['0.0.0.0', 'this network'],
    ['0.1.2.3', 'this network'],
    ['::', 'unspecified'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped the cloud metadata service'],
    ['64:ff9b::192.168.0.1', 'NAT64 private'],
    ['64:ff9b::7f00:1', 'NAT64 loopback'],
    ['[::ffff:169.254.0.1]', 'IPv4-mapped link-local'],
    ['0:0:0:0:0:ffff:c000:201', 'IPv4-mapped documentation'],
    ['::127.0.0.1', 'IPv4-compatible'],
    ['localhost', 'not an IP address'],
    ['', 'not an IP address'],
  ])('refuses %s (%s)', (ip, label) => {
    expect(isForbiddenAddress(ip)).toBe(true);
    expect(forbiddenRangeOf(ip)).toContain(label);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '169.253.255.255',
    '192.169.0.1',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '::ffff:1.1.1.1',
  ])('allows the public address %s', (ip) => {
    expect(forbiddenRangeOf(ip)).toBeUndefined();
  });
});

describe('checkFetchTarget', () => {
  const strict = { allowPrivateNetworks: false };
  const lenient = { allowPrivateNetworks: true };

  it.each([
    ['https://example.com/', strict],
    ['http://example.com:8080/a?b=c', strict],
    ['http://93.184.215.14/', strict],
    ['http://[2606:4700:4700::1111]/', strict],
    ['http://127.0.0.1:3000/', lenient],
    ['http://[::1]:8080/', lenient],
    ['http://localhost:8080/', lenient],
    // Other host names are judged by the guarded DNS lookup, on what they resolve to.
    ['http://intranet.example:8080/', strict],
  ])('allows %s', (url, policy) => {
    expect(checkFetchTarget(new URL(url), policy)).toEqual({ allowed: true });
  });

  it.each([
    ['ftp://example.com/', strict, 'unsupported_protocol'],
    ['file:///etc/passwd', lenient, 'unsupported_protocol'],
    ['http://user:pass@example.com/', strict, 'credentials_in_url'],
    ['http://user@example.com/', lenient, 'credentials_in_url'],
    ['http://example.com:22/', strict, 'forbidden_port'],
    ['http://example.com:25/', lenient, 'forbidden_port'],
    ['http://127.0.0.1/', strict, 'forbidden_address'],
    ['http://2130706433/', strict, 'forbidden_address'],
    ['http://0x7f.1/', strict, 'forbidden_address'],
    ['http://[::1]/', strict, 'forbidden_address'],
    ['http://[::ffff:127.0.0.1]/', strict, 'forbidden_address'],
    ['http://169.254.169.254/latest/meta-data/', strict, 'forbidden_address'],
    ['http://10.0.0.1:8080/', strict, 'forbidden_address'],
  ])('refuses %s', (url, policy, code) => {
    expect(checkFetchTarget(new URL(url), policy)).toMatchObject({ allowed: false, code });
  });
});

describe('checkFetchTarget on localhost names', () => {
  it.each(['http://localhost/', 'http://LOCALHOST:8080/x', 'http://api.localhost/', 'http://localhost./'])('refuses %s unless private networks are allowed', (url) => {
    expect(checkFetchTarget(new URL(url), { allowPrivateNetworks: false })).toMatchObject({ allowed: false, code: 'forbidden_address' });
    expect(checkFetchTarget(new URL(url), { allowPrivateNetworks: true })).toEqual({ allowed: true });
  });
  it('leaves names that merely contain the word alone', () => {
    expect(checkFetchTarget(new URL('http://localhost-tools.example/'), { allowPrivateNetworks: false })).toEqual({ allowed: true });
  });
});
