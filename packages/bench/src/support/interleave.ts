export interface InterleaveOptions {
  /** Run one thrown-away warm-up round first, in the given order. @defaultValue true */
  warmUp?: boolean;
  /**
   * Reverse the order every other round (A B, B A, A B, …), so the side that
   * runs right after another's heavy round, or first in a fresh round, is
   * each side in turn. @defaultValue false
   */
  alternateFirst?: boolean;
}

/**
 * Measures several sides in alternating rounds (A B C, A B C …; or A B, B A … with `alternateFirst`) after one discarded
 * warm-up round (unless `warmUp: false`): on a shared machine the load moves by the minute, and interleaving gives every
 * side the same mix of quiet and busy moments, so their ratio holds.
 */
export async function interleave<S, R>(
  sides: readonly S[],
  rounds: number,
  measureOnce: (side: S, warmUp: boolean) => Promise<R>,
  options: InterleaveOptions = {},
): Promise<Map<S, R[]>> {
  const results = new Map<S, R[]>(sides.map((side) => [side, []]));
  if (options.warmUp ?? true) {
    for (const side of sides) await measureOnce(side, true);
  }
  for (let round = 0; round < rounds; round++) {
    const order = options.alternateFirst && round % 2 === 1 ? [...sides].reverse() : sides;
    for (const side of order) results.get(side)?.push(await measureOnce(side, false));
  }
  return results;
}
