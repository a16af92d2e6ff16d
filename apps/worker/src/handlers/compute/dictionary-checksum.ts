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
 * The classic "build a dictionary of m keys, n times" workload, one round per
 * step: each round fills a fresh Map with `k0..k(m-1)` and folds every value
 * read back into an FNV-1a checksum. A generator so the caller decides when to
 * pause between rounds (to check for cancellation and let the event loop run),
 * while the arithmetic stays pure and deterministic.
 */
export function* dictionaryRounds({ n, m }: ComputePayload): Generator<number, ComputeResult, void> {
  // Seeded with the shape: n×m and m×n write the same values in the same order.
  let hash = fnv1a(fnv1a(FNV_OFFSET_BASIS, n), m);
  for (let i = 0; i < n; i++) {
    const dictionary = new Map<string, number>();
    for (let j = 0; j < m; j++) dictionary.set(`k${j}`, i * m + j);
    for (let j = 0; j < m; j++) hash = fnv1a(hash, dictionary.get(`k${j}`) ?? 0);
    yield i + 1;
  }
  return { checksum: hash.toString(16).padStart(8, '0'), operations: n * m, n, m };
}

/** Runs every round at once: the same payload always gives the same checksum. */
export function dictionaryChecksum(payload: ComputePayload): ComputeResult {
  const rounds = dictionaryRounds(payload);
  for (;;) {
    const step = rounds.next();
    if (step.done) return step.value;
  }
}
