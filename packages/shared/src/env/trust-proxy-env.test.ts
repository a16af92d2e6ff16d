import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseEnv } from './parse-env';
import { trustProxyEnv } from './trust-proxy-env';

const Schema = z.object({ TRUST_PROXY: trustProxyEnv() });
const parse = (value: string | undefined) => parseEnv(Schema, { TRUST_PROXY: value }).TRUST_PROXY;

describe('TRUST_PROXY', () => {
  it('is false unless set, and takes true, false, a hop count or a list', () => {
    expect(parse(undefined)).toBe(false);
    expect(parse(' ')).toBe(false);
    expect(parse('true')).toBe(true);
    expect(parse('FALSE')).toBe(false);
    expect(parse('1')).toBe(1);
    expect(parse('0')).toBe(0);
    expect(parse('loopback, 10.0.0.0/8,192.168.1.7, fd00::/8, ::1')).toEqual(['loopback', '10.0.0.0/8', '192.168.1.7', 'fd00::/8', '::1']);
  });

  it('refuses what is not an address or a range, rather than trusting nothing or everything', () => {
    for (const bad of ['yes please', '10.0.0.0/33', '10.0.0/8', 'proxy.internal', '10.0.0.1,,10.0.0.2', '::1/129', '1.2.3.4/8/8', '-1']) {
      expect(() => parse(bad), bad).toThrow(/TRUST_PROXY/);
    }
  });
});
