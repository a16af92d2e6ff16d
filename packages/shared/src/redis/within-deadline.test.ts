import { describe, expect, it } from 'vitest';
import { withinDeadline } from './within-deadline';

describe('withinDeadline', () => {
  it('passes on what settles in time, its value or its own error', async () => {
    await expect(withinDeadline(Promise.resolve(7), 1_000, () => new Error('late'))).resolves.toBe(7);
    await expect(withinDeadline(Promise.reject(new Error('own')), 1_000, () => new Error('late'))).rejects.toThrow('own');
  });

  it('rejects with the given error when the promise never settles', async () => {
    await expect(withinDeadline(new Promise(() => undefined), 10, () => new Error('late'))).rejects.toThrow('late');
  });
});
