import { describe, expect, it } from 'vitest';
import { isApiJobId, newJobId, partitionOfJobId } from './job-id';

describe('API job ids', () => {
  it('are p<partition>-<22 URL-safe chars>, and say their partition', () => {
    const id = newJobId();
    expect(id).toMatch(/^p0-[A-Za-z0-9_-]{22}$/);
    expect(partitionOfJobId(id)).toBe(0);
    expect(partitionOfJobId(newJobId(17))).toBe(17);
    expect(isApiJobId(newJobId(3))).toBe(true);
  });

  it('differ each time', () => {
    const ids = new Set(Array.from({ length: 1_000 }, () => newJobId()));
    expect(ids.size).toBe(1_000);
  });

  it('leave other ids alone', () => {
    for (const other of ['1', '42', 'invoice-7', 'p1-short', 'p01-AAAAAAAAAAAAAAAAAAAAAA', 'p-AAAAAAAAAAAAAAAAAAAAAA', 'p1-AAAAAAAAAAAAAAAAAAAAA!']) {
      expect(partitionOfJobId(other), other).toBeUndefined();
      expect(isApiJobId(other), other).toBe(false);
    }
    expect(() => newJobId(-1)).toThrow(RangeError);
  });
});
