import { describe, expect, it } from 'vitest';
import { apiTestWith } from '../testing/api-test';
import { filesEnteredTwice, traceFileEntries, type FileEntry } from '../testing/call-trace';

/** The API's own sources, by their path under src/ (tests and test support aside). */
const SOURCES = /apps\/api\/src\/(?!testing\/|tests\/)/;
const short = (url: string) => url.replace(/^.*apps\/api\/src\//, '');

/**
 * The files a plain `POST /v1/jobs/:type` runs code in, in the order it first
 * enters them, as one request shows it under the debugger (docs/development.md,
 * "A plain POST, stage by stage"). A file added to the path, or taken off it,
 * changes this list on purpose.
 */
const STAGES = [
  'fast-path/lean-enqueue.ts',
  'auth/authenticator.ts',
  'auth/required-scope.ts',
  'admission/event-loop-guard.ts',
  'admission/hysteresis-gate.ts',
  'http/json-depth.ts',
  'http/request-logger.ts',
  'http/client-address.ts',
  'http/request-params.ts',
  'auth/require-auth.ts',
  'enqueue/enqueue-pipeline.ts',
  'enqueue/idempotency-key.ts',
  'enqueue/parse-request.ts',
  'enqueue/payload-policy.ts',
  'admission/admission.ts',
  'admission/start-admission.ts',
  'admission/redis-memory-guard.ts',
  'admission/backlog-gauge.ts',
  'redis/redis-deadline.ts',
  'admission/client-rate-limiter.ts',
  'coalesce/tick-batcher.ts',
  'admission/token-bucket.ts',
  'enqueue/bull-options.ts',
  'coalesce/job-adder.ts',
  'coalesce/add-each.ts',
  'enqueue/enqueue-answer.ts',
  'http/job-link.ts',
];

/** Not stages: small helpers that more than one stage calls by design. */
const HELPERS = new Set([
  // Both the rate limiter and the job adder batch one turn's calls into one Redis round trip.
  'coalesce/tick-batcher.ts',
  // Every Redis call of a request runs under one deadline, whichever stage makes it.
  'redis/redis-deadline.ts',
]);

// Every request reads the backlog, so redis-deadline.ts is first entered after backlog-gauge.ts whatever the timing (a cached reading leaves it to the rate limiter).
const apiTest = apiTestWith({ limits: { backlogCacheMs: 0 } });

describe('a plain POST, stage by stage', () => {
  apiTest('runs through each file of its path, each entered from one stage only', async ({ api }) => {
    const post = async () => {
      const res = await api.request('POST', '/v1/jobs/sentiment', { json: { payload: { text: 'one plain post' } } });
      expect(res.status).toBe(202);
    };
    await post(); // the first request loads what the path needs; the traced ones find it loaded
    const entries = (await traceFileEntries({ files: SOURCES, within: /fast-path\/lean-enqueue\.ts$/, run: post })).map((entry) => ({
      ...entry,
      from: short(entry.from),
      to: short(entry.to),
    }));
    expect([...new Set(entries.map((entry) => entry.to))]).toEqual(STAGES);
    expect(filesEnteredTwice(entries, HELPERS)).toEqual([]);
  });
});

describe('filesEnteredTwice', () => {
  const entry = (from: string, to: string): FileEntry => ({ from, to, fn: 'f' });

  it('names a file a second stage enters, and not one its own stage calls again or one called back from below', () => {
    const path = [entry('', 'a'), entry('a', 'b'), entry('b', 'c'), entry('b', 'c'), entry('c', 'a'), entry('c', 'b'), entry('a', 'd')];
    expect(filesEnteredTwice(path, new Set())).toEqual([]);
    expect(filesEnteredTwice([...path, entry('d', 'c')], new Set())).toEqual(['c: entered from b, then from d']);
  });

  it('leaves out helpers and calls from outside the traced files (events, timers, libraries)', () => {
    const path = [entry('', 'a'), entry('a', 'b'), entry('a', 'h'), entry('b', 'h'), entry('h', 'b'), entry('', 'b')];
    expect(filesEnteredTwice(path, new Set(['h']))).toEqual([]);
    expect(filesEnteredTwice(path, new Set())).toContain('h: entered from a, then from b');
  });
});
