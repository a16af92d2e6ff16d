import { catalog, jobTypes } from '@floodgate/shared/jobs';
import { afterAll, describe, expect, it } from 'vitest';
import { closeHandlers, createHandlers } from './index';

const handlers = createHandlers({ pageExtract: { maxBytes: 1_000, fetchTimeoutMs: 1_000, allowPrivateNetworks: false } });
afterAll(() => closeHandlers(handlers));

describe('handlers and catalog', () => {
  it('has exactly one handler per catalog type, and none for unknown types', () => {
    expect(Object.keys(handlers).sort()).toEqual([...jobTypes].sort());
    expect(Object.keys(catalog).sort()).toEqual([...jobTypes].sort());
  });

  it.each(jobTypes)('registers the %s handler under its own type', (type) => {
    expect(handlers[type].type).toBe(type);
    expect(catalog[type].type).toBe(type);
  });
});
