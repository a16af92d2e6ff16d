import type { ComputePayload, ComputeResult } from '@floodgate/shared/jobs';

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Folds the four bytes of a 32-bit value into an FNV-1a hash. */
function fnv1a(hash: number, value: number): number {
  let h = hash;
  for (let shift = 0; shift < 32; shift += 8) {
    h = Math.imul(h ^ ((value >>> shift) & 0xff), FNV_PRIME) >>> 0;
  }
  return h;
}

/**
 * The classic "build a dictionary of m keys, n times" workload: each round
 * fills a fresh Map with `k0..k(m-1)` and folds every value read back into an
 * FNV-1a checksum (seeded with n and m, since n×m and m×n write the same values
 * in the same order). Pure and deterministic: the same payload always gives the
 * same checksum. It runs on a pool thread, which a timeout terminates.
 */
export function dictionaryChecksum({ n, m }: ComputePayload): ComputeResult {
  let hash = fnv1a(fnv1a(FNV_OFFSET_BASIS, n), m);
  for (let i = 0; i < n; i++) {
    const dictionary = new Map<string, number>();
    for (let j = 0; j < m; j++) dictionary.set(`k${j}`, i * m + j);
    for (let j = 0; j < m; j++) hash = fnv1a(hash, dictionary.get(`k${j}`) ?? 0);
  }
  return { checksum: hash.toString(16).padStart(8, '0'), operations: n * m, n, m };
}
