import { describe, expect, it } from 'vitest';
import { createHysteresisGate } from './hysteresis-gate';

describe('createHysteresisGate', () => {
  it('opens at the high mark and closes only below the low mark', () => {
    const gate = createHysteresisGate({ high: 0.85, low: 0.75 });
    expect([0.5, 0.84, 0.85, 0.8, 0.76, 0.75, 0.74, 0.8].map((v) => gate.update(v))).toEqual([
      false, false, true, true, true, true, false, false,
    ]);
  });

  it('refuses a low mark above the high one', () => {
    expect(() => createHysteresisGate({ high: 0.5, low: 0.6 })).toThrow(/low/);
  });
});
