import { waitFor } from '@floodgate/testkit';
import { describe, expect, it } from 'vitest';
import { startEventLoopGuard } from './event-loop-guard';

describe('startEventLoopGuard', () => {
  it('sheds once the delay reaches the limit, holds above half of it, and resumes below', async () => {
    let delay = 30;
    let reads = 0;
    const guard = startEventLoopGuard({ maxDelayMs: 200, intervalMs: 5, readDelayMs: () => (reads++, delay) });
    const afterReads = async (n: number) => {
      const target = reads + n;
      await waitFor(() => reads >= target, { intervalMs: 1 });
    };
    try {
      await afterReads(2);
      expect(guard.shedding).toBe(false);
      delay = 250;
      await afterReads(2);
      expect(guard.shedding).toBe(true);
      delay = 120; // below the limit, above half of it: still shedding
      await afterReads(2);
      expect(guard.shedding).toBe(true);
      delay = 40;
      await afterReads(2);
      expect(guard.shedding).toBe(false);
    } finally {
      guard.stop();
    }
  });

  it('reads the real event-loop delay by default', async () => {
    const guard = startEventLoopGuard({ maxDelayMs: 200, intervalMs: 20 });
    try {
      await waitFor(() => guard.delayMs > 0, { description: 'a reading' });
      expect(guard.shedding).toBe(false);
    } finally {
      guard.stop();
    }
  });
});
