import type { Logger } from '@floodgate/shared/logger';
import { waitFor } from '@floodgate/testkit';
import { describe, expect } from 'vitest';
import { guardsOn, type StartGuard } from '../testing/memory-guards';
import { redisConnectionsTestWith } from '../testing/redis-connections-test';

/** The guard's warnings (warn is all it logs), kept for one test. */
interface GuardLog {
  logger: Logger;
  readingsGivenUp(): string[];
}

/** An 8 MB Redis for the file; for each test, connections (the guard's through a fault proxy) and the guard it starts. */
const test = redisConnectionsTestWith({ maxmemory: '8mb' }).extend<{ guardLog: GuardLog; startGuard: StartGuard }>({
  // eslint-disable-next-line no-empty-pattern
  guardLog: async ({}, use) => {
    // On one node a reading given up shows nowhere but here, since the decision stays the last one.
    // pino would write them to fd 1, out of the test's reach.
    const warnings: string[] = [];
    const logger = { warn: (_fields: unknown, msg: string) => void warnings.push(msg) } as unknown as Logger;
    await use({ logger, readingsGivenUp: () => warnings.filter((msg) => msg === 'redis memory reading failed: keeping the last one') });
  },
  startGuard: ({ proxied, guardLog }, use) => guardsOn(proxied, guardLog.logger, use),
});

describe('redis memory guard', () => {
  test('gives up an INFO that gets no answer (keeping the last decision), and samples again once Redis answers', async ({ direct, proxy, startGuard, guardLog: { readingsGivenUp } }) => {
    // Fill Redis past the high mark first: a decision to shed is what shows the guard has a reading.
    const ballast = 'x'.repeat(100_000);
    for (let i = 0; i < 45; i++) await direct.set(`ballast:${i}`, ballast);
    const guard = startGuard({ high: 0.5, low: 0.4, intervalMs: 50, deadlineMs: 300 });
    await waitFor(() => guard.fullPrimaryFor(undefined) !== undefined, { description: 'the guard to see Redis full' });
    const full = guard.fullPrimaryFor(undefined)!;
    expect(full.maxBytes).toBe(8 * 1024 * 1024);
    expect(full.usedBytes / full.maxBytes).toBeGreaterThanOrEqual(0.5);
    expect(readingsGivenUp()).toEqual([]);

    proxy.stall();
    // Only a deadline ends this INFO: the stalled proxy holds it (and would deliver it on resume) rather than failing it.
    await waitFor(() => readingsGivenUp().length > 0, { description: 'the stalled INFO to be given up' });
    expect(guard.fullPrimaryFor(undefined)).toBeDefined();

    // Empty Redis below the low mark while the guard's connection is stalled; then let it through.
    for (let i = 0; i < 45; i++) await direct.del(`ballast:${i}`);
    proxy.resume();
    await waitFor(() => guard.fullPrimaryFor(undefined) === undefined, { description: 'the guard to see Redis emptied' });
  });
});
