import { oncePerFile } from '@floodgate/testkit/fixtures';
import { test } from 'vitest';
import { closeHandlers, createHandlers, type Handlers } from '../handlers';
import { startWorkers, type RunningWorkers, type StartWorkersOptions } from '../workers/start-workers';
import { startHarness, type WorkerHarness } from './worker-harness';

/** What {@link harnessTest} gives a test. */
export interface HarnessFixtures {
  /** The file's private Redis, connection, CPU pool and metrics: started by the first test that asks, stopped after the file. */
  harness: WorkerHarness;
  /** A fresh prefix of this test's own, so its queues start empty. */
  prefix: string;
  /** Runs `close` once this test has ended, passed or failed: the last deferred first, all before the next test starts. */
  defer(close: () => unknown): void;
  /** The catalog's handlers on the harness's CPU pool, closed after everything this test deferred. */
  handlers: Handlers;
  /** Starts workers on the harness (this test's prefix and handlers unless given); each set is closed (5 s grace) after the test. */
  workers(options?: Partial<StartWorkersOptions>): RunningWorkers;
}

/**
 * A vitest `test` with the worker harness as fixtures: one private Redis for the
 * file, and everything a test starts on it closed after that test, so tests
 * share no state and run alone (`vitest -t`) or in any order.
 */
export const harnessTest = test.extend<HarnessFixtures>({
  harness: oncePerFile(startHarness),
  prefix: ({ harness }, use) => use(harness.newPrefix()),
  // eslint-disable-next-line no-empty-pattern
  defer: async ({}, use) => {
    const closers: Array<() => unknown> = [];
    await use((close) => void closers.push(close));
    const failures: unknown[] = [];
    for (const close of closers.reverse()) await Promise.resolve().then(close).catch((err: unknown) => failures.push(err));
    if (failures.length > 0) throw failures[0];
  },
  handlers: async ({ harness, defer }, use) => {
    const handlers = createHandlers({ cpuPool: harness.cpuPool });
    // Deferred before the test runs, so it closes after every worker the test started.
    defer(() => closeHandlers(handlers));
    await use(handlers);
  },
  workers: ({ harness, prefix, handlers, defer }, use) =>
    use((options = {}) => {
      const running = startWorkers({ connection: harness.connection, prefix, handlers, logger: harness.logger, metrics: harness.metrics, ...options });
      defer(() => running.close(5_000));
      return running;
    }),
});
