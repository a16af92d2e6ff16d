import { describe, expect, it } from 'vitest';
import { defaultApiInstances, resolveApiInstances } from './api-instances';

describe('API instances', () => {
  it('auto is one process per two cores, at least one', () => {
    expect([1, 2, 3, 4, 8].map(defaultApiInstances)).toEqual([1, 1, 1, 2, 4]);
    expect(resolveApiInstances('auto', 2)).toBe(1);
    expect(resolveApiInstances('auto', 16)).toBe(8);
  });

  it('a number given is used as is, whatever the cores', () => {
    expect(resolveApiInstances(3, 2)).toBe(3);
  });
});
