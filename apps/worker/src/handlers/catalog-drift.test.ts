import { catalog, jobTypes } from '@floodgate/shared/jobs';
import { describe, expect, test } from 'vitest';
import { createCpuPool } from '../cpu-pool/cpu-pool';
import { cpuTaskTypes } from '../cpu-pool/cpu-tasks';
import { closeHandlers, createHandlers, type Handlers } from './index';

/** The handler registry on a one-thread pool of the test's own, both closed after it. */
const it = test.extend<{ handlers: Handlers }>({
  // eslint-disable-next-line no-empty-pattern
  handlers: async ({}, use) => {
    const cpuPool = createCpuPool({ threads: 1 });
    const handlers = createHandlers({ cpuPool });
    await use(handlers);
    await closeHandlers(handlers);
    await cpuPool.close();
  },
});

describe('handlers and catalog', () => {
  // Fails when a catalog type has no handler (or a handler has no type), whichever registry it belongs to.
  it('builds exactly one handler per catalog type, each under its own type', ({ handlers }) => {
    expect(Object.keys(handlers).sort()).toEqual([...jobTypes].sort());
    for (const [type, handler] of Object.entries(handlers)) expect(handler.type).toBe(type);
  });

  it("runs exactly the catalog's CPU-bound types on the pool", () => {
    expect([...cpuTaskTypes].sort()).toEqual(jobTypes.filter((type) => catalog[type].cpuBound).sort());
  });

  it('gives batch handlers to exactly the catalog\'s batch types', ({ handlers }) => {
    // A batch type whose handler cannot take a batch would run one job per call, silently.
    const batchTypes = jobTypes.filter((type) => catalog[type].batch !== undefined);
    expect(jobTypes.filter((type) => handlers[type].runBatch !== undefined)).toEqual(batchTypes);
    expect(batchTypes).toContain('sentiment');
  });
});
