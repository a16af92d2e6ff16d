import { describe, expect, it } from 'vitest';
import { dictionaryChecksum } from './compute';

describe('dictionaryChecksum', () => {
  it('gives the same checksum for the same input', () => {
    const first = dictionaryChecksum({ n: 20, m: 500 });
    expect(dictionaryChecksum({ n: 20, m: 500 })).toEqual(first);
    expect(first).toMatchObject({ operations: 10_000, n: 20, m: 500 });
    expect(first.checksum).toMatch(/^[0-9a-f]{8}$/);
  });

  it('gives different checksums for different inputs', () => {
    const checksums = new Set([
      dictionaryChecksum({ n: 20, m: 500 }).checksum,
      dictionaryChecksum({ n: 21, m: 500 }).checksum,
      dictionaryChecksum({ n: 20, m: 501 }).checksum,
      dictionaryChecksum({ n: 500, m: 20 }).checksum,
    ]);
    expect(checksums.size).toBe(4);
  });

  it('pins the algorithm (FNV-1a over n, m, then every value, little-endian)', () => {
    // Changing this value changes every checksum clients may have stored.
    expect(dictionaryChecksum({ n: 1, m: 1 }).checksum).toBe('6c1151a5');
  });

});
