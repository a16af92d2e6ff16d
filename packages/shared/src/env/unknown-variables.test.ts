import { describe, expect, it } from 'vitest';
import { KNOWN_VARIABLES } from './known-variables';
import { closestName, describeUnknownVariables, editDistance, unknownVariables } from './unknown-variables';

describe('unknownVariables', () => {
  it('names a misspelt floodgate variable and the one it was meant to be', () => {
    expect(unknownVariables({ WORKER_CONCURENCY: '5', WORKER_CONCURRENCY: 'compute=1' })).toEqual([{ name: 'WORKER_CONCURENCY', closest: 'WORKER_CONCURRENCY' }]);
    expect(describeUnknownVariables(unknownVariables({ REDIS_HOST: 'h', API_PROT: '1' }))).toEqual([
      'API_PROT (did you mean API_PORT?)',
      'REDIS_HOST (did you mean REDIS_PORT?)',
    ]);
  });

  it('leaves alone every known variable and every name without a floodgate prefix', () => {
    const known = Object.fromEntries(KNOWN_VARIABLES.map((name) => [name, 'x']));
    expect(unknownVariables({ ...known, PATH: '/bin', NODE_OPTIONS: '', OTEL_WHATEVER: '1', APIKEY: 'x', MY_API_PORT: '1' })).toEqual([]);
  });

  it('knows every prefix it watches for', () => {
    for (const prefix of ['API_', 'WORKER_', 'REDIS_', 'QUEUE_', 'DASHBOARD_']) {
      expect(KNOWN_VARIABLES.some((name) => name.startsWith(prefix)), prefix).toBe(true);
      expect(unknownVariables({ [`${prefix}NOPE`]: '1' }).map((u) => u.name)).toEqual([`${prefix}NOPE`]);
    }
  });
});

describe('closestName', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('QUEUE_PERFIX', 'QUEUE_PREFIX')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(closestName('QUEUE_PERFIX', ['QUEUE_PREFIX', 'QUEUE_PARTITIONS'])).toBe('QUEUE_PREFIX');
  });

  it('prefers a name of the same prefix when two are as close', () => {
    expect(closestName('API_PORTS', ['DASHBOARD_PORT', 'API_PORT', 'AAI_PORTS'])).toBe('API_PORT');
  });
});
