import { describe, expect, it } from 'vitest';
import { interleave } from './interleave';

/** Runs interleave with a measurement that records its calls and returns the call number. */
async function calls(options?: Parameters<typeof interleave>[3]) {
  const log: string[] = [];
  const results = await interleave(['a', 'b'], 3, async (side, warmUp) => log.push(`${side}${warmUp ? '(warm-up)' : ''}`), options);
  return { log, results };
}

describe('interleave', () => {
  it('warms every side up once, then runs the rounds in the same order, keeping only the measured rounds', async () => {
    const { log, results } = await calls();
    expect(log).toEqual(['a(warm-up)', 'b(warm-up)', 'a', 'b', 'a', 'b', 'a', 'b']);
    expect(results).toEqual(new Map([['a', [3, 5, 7]], ['b', [4, 6, 8]]]));
  });

  it('reverses the order every other round when asked, and can skip the warm-up', async () => {
    const { log, results } = await calls({ warmUp: false, alternateFirst: true });
    expect(log).toEqual(['a', 'b', 'b', 'a', 'a', 'b']);
    expect(results).toEqual(new Map([['a', [1, 4, 5]], ['b', [2, 3, 6]]]));
  });
});
