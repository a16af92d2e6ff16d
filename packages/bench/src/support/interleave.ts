/**
 * Measures several sides in alternating rounds (A B C, A B C, …) after one
 * warm-up round that is thrown away, and adds each side's rounds up. On a
 * shared machine the load moves by the minute: measured one after the other,
 * the side that ran during a quiet minute wins; interleaved, every side sees
 * the same mix of quiet and busy moments, so their ratio holds.
 */
export async function interleave<S extends string, R>(
  sides: readonly S[],
  rounds: number,
  measureOnce: (side: S, warmUp: boolean) => Promise<R>,
): Promise<Map<S, R[]>> {
  const results = new Map<S, R[]>(sides.map((side) => [side, []]));
  for (const side of sides) await measureOnce(side, true);
  for (let round = 0; round < rounds; round++) {
    for (const side of sides) results.get(side)?.push(await measureOnce(side, false));
  }
  return results;
}
