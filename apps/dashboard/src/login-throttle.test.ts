import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle';

describe('LoginThrottle', () => {
  const t0 = 1_000_000;

  it('lets the first failures through, then doubles the wait up to the cap', () => {
    const throttle = new LoginThrottle({ freeAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 8_000 });
    expect(throttle.fail('a', t0)).toBe(0);
    expect(throttle.fail('a', t0)).toBe(0);
    expect(throttle.retryAfterMs('a', t0)).toBe(0);
    expect([3, 4, 5, 6, 7].map(() => throttle.fail('a', t0))).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(throttle.retryAfterMs('a', t0)).toBe(8_000);
    expect(throttle.retryAfterMs('a', t0 + 7_999)).toBe(1);
    expect(throttle.retryAfterMs('a', t0 + 8_000)).toBe(0);
    // Another address is not affected.
    expect(throttle.retryAfterMs('b', t0)).toBe(0);
  });

  it('keeps counting after the wait, and forgets an address a while after its last failure', () => {
    const throttle = new LoginThrottle({ freeAttempts: 1, baseDelayMs: 1_000, forgetAfterMs: 60_000 });
    expect(throttle.fail('a', t0)).toBe(1_000);
    expect(throttle.fail('a', t0 + 1_000)).toBe(2_000);
    expect(throttle.failures('a', t0 + 59_999)).toBe(2);
    expect(throttle.failures('a', t0 + 1_000 + 60_000)).toBe(0);
    expect(throttle.fail('a', t0 + 1_000 + 60_000)).toBe(1_000);
  });

  it('tracks a bounded number of addresses, forgetting the oldest', () => {
    const throttle = new LoginThrottle({ freeAttempts: 1, maxEntries: 2 });
    throttle.fail('a', t0);
    throttle.fail('b', t0);
    throttle.fail('c', t0);
    expect(throttle.failures('a', t0)).toBe(0);
    expect(throttle.failures('b', t0)).toBe(1);
    expect(throttle.failures('c', t0)).toBe(1);
  });
});
