import { createLogger } from '@floodgate/shared/logger';
import { describe, expect, it } from 'vitest';
import type { JobContext } from '../define-handler';
import { computeHandler } from './compute';
import { dictionaryChecksum } from './compute/dictionary-checksum';

function contextWith(signal: AbortSignal): JobContext {
  const logger = createLogger({ name: 'worker-test', level: 'silent', pretty: false });
  return { signal, progress: async () => undefined, log: async () => undefined, attempt: 1, jobId: 'test', logger };
}

describe('computeHandler', () => {
  it('returns the dictionary checksum', async () => {
    const payload = { n: 5, m: 100 };
    await expect(computeHandler.run(payload, contextWith(new AbortController().signal))).resolves.toEqual(dictionaryChecksum(payload));
  });

  it('stops between rounds once its signal aborts', async () => {
    const controller = new AbortController();
    // Far more work than one stretch between yields, so the abort lands mid-run.
    const run = computeHandler.run({ n: 10_000, m: 2_000 }, contextWith(controller.signal));
    setImmediate(() => controller.abort(new Error('job_timeout: test')));
    await expect(run).rejects.toThrow(/^job_cancelled: compute stopped/);
  });
});
