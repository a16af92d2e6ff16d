import { describe, expect, it } from 'vitest';
import { createTickBatcher } from './tick-batcher';

describe('createTickBatcher', () => {
  it('flushes what one turn submitted as one batch per key, answering each item in order', async () => {
    const flushes: Array<[string, number[]]> = [];
    const batcher = createTickBatcher<number, number>(async (key, items) => {
      flushes.push([key, items]);
      return items.map((n) => (n < 0 ? new Error(`negative ${n}`) : n * 10));
    });
    const a = [1, 2, -3, 4].map((n) => batcher.submit('a', n).catch((err: Error) => err.message));
    const b = batcher.submit('b', 5);
    expect(await Promise.all(a)).toEqual([10, 20, 'negative -3', 40]);
    expect(await b).toBe(50);
    expect(flushes).toEqual([
      ['a', [1, 2, -3, 4]],
      ['b', [5]],
    ]);
    // The next turn is a new batch.
    expect(await batcher.submit('a', 6)).toBe(60);
    expect(flushes).toHaveLength(3);
  });

  it('rejects every item of a batch whose flush fails, and splits batches over the size bound', async () => {
    const sizes: number[] = [];
    const failing = createTickBatcher<number, number>(async () => {
      throw new Error('redis is away');
    });
    await expect(Promise.all([failing.submit('k', 1), failing.submit('k', 2)])).rejects.toThrow('redis is away');
    const bounded = createTickBatcher<number, number>(async (_key, items) => {
      sizes.push(items.length);
      return items;
    }, 3);
    expect(await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => bounded.submit('k', n)))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(sizes).toEqual([3, 3, 1]);
  });
});
