import { describe, expect, it } from 'vitest';
import { redactUrlCredentials } from '../logger/redact-url';
import { redisOptionsFromUrl } from './redis-url';

describe('redisOptionsFromUrl', () => {
  it('reads host, port, password and database', () => {
    expect(redisOptionsFromUrl('redis://:s%40cret@10.0.0.5:6400/2')).toEqual({
      host: '10.0.0.5',
      port: 6400,
      password: 's@cret',
      db: 2,
    });
  });

  it('reads an ACL user', () => {
    expect(redisOptionsFromUrl('redis://app:pw@localhost')).toMatchObject({ username: 'app', password: 'pw', port: 6379 });
  });

  it('turns TLS on for rediss://', () => {
    expect(redisOptionsFromUrl('rediss://cache.example.com:6380')).toMatchObject({
      host: 'cache.example.com',
      port: 6380,
      tls: { servername: 'cache.example.com' },
    });
    expect(redisOptionsFromUrl('redis://cache.example.com').tls).toBeUndefined();
  });

  it('accepts IPv6 hosts', () => {
    expect(redisOptionsFromUrl('redis://[::1]:7000')).toMatchObject({ host: '::1', port: 7000 });
  });

  it('refuses other schemes and odd databases', () => {
    expect(() => redisOptionsFromUrl('http://localhost')).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(() => redisOptionsFromUrl('redis://localhost/zero')).toThrow(/database/);
  });

  it('redacts credentials for logs', () => {
    expect(redactUrlCredentials('redis://user:pw@h:1/0')).toBe('redis://***@h:1/0');
    expect(redactUrlCredentials('redis://h:1')).toBe('redis://h:1');
  });
});
