import { waitFor } from '@floodgate/testkit';
import { describe, expect } from 'vitest';
import { apiTestWith } from '../testing/api-test';

/** How long the enqueues run while the connection keeps dropping; the 30 s version is in the bench's spirit, not here. */
const RUN_MS = 10_000;
const DROP_EVERY_MS = 1_500;
const CLIENTS = 8;
/** A bound on the traffic, whatever the machine's speed. */
const MAX_REQUESTS = 4_000;

interface Tally {
  /** Ids the API answered 202 for (single, or a bulk item it says is stored). */
  acked: Set<string>;
  /** Ids named by an `enqueue_outcome_unknown`: they may exist. */
  maybe: Set<string>;
  statuses: Map<number, number>;
  codes: Map<string, number>;
}

const test = apiTestWith({
  faultProxy: true,
  limits: { maxEventLoopDelayMs: 60_000, rateLimitPerSecond: { sentiment: 1_000_000 }, backlogCap: { sentiment: 10_000_000 } },
});

/**
 * Single and bulk enqueues while a fault proxy drops the API's Redis
 * connection every 1.5 s. Afterwards, every job in Redis is one the API
 * acknowledged or named as "may exist", and every acknowledged job is there,
 * exactly once. Nothing is answered with a 500.
 */
describe('enqueueing while the Redis connection keeps dropping', () => {
  test('loses no acknowledged job, duplicates none, and leaves no job nobody was told about', { timeout: 60_000 }, async ({ api }) => {
    const tally: Tally = { acked: new Set(), maybe: new Set(), statuses: new Map(), codes: new Map() };
    const count = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);
    const until = Date.now() + RUN_MS;
    let sent = 0;
    const dropper = setInterval(() => api.proxy?.reset(), DROP_EVERY_MS);
    const client = async (n: number) => {
      for (let i = 0; Date.now() < until && sent < MAX_REQUESTS; i++) {
        sent++;
        const bulk = i % 5 === 4;
        // Both HTTP adapters: the lean path, and express (`?wait=0`).
        const path = bulk ? '/v1/jobs/sentiment/bulk' : `/v1/jobs/sentiment${i % 2 === 0 ? '' : '?wait=0'}`;
        const json = bulk
          ? { jobs: Array.from({ length: 5 }, (_, k) => ({ payload: { text: `bulk ${n}-${i}-${k}` } })) }
          : { payload: { text: `single ${n}-${i}` } };
        const res = await api.request('POST', path, { json }).catch(() => undefined);
        if (!res) continue;
        count(tally.statuses, res.status);
        const body = (await res.json()) as {
          id?: string;
          error?: { code: string; details?: { id?: string } };
          jobs?: Array<{ id?: string; error?: { code: string } }>;
        };
        if (body.error) {
          count(tally.codes, body.error.code);
          if (body.error.code === 'enqueue_outcome_unknown' && body.error.details?.id) tally.maybe.add(body.error.details.id);
        } else if (body.jobs) {
          for (const item of body.jobs) {
            if (item.error) count(tally.codes, item.error.code);
            if (!item.id) continue;
            if (!item.error) tally.acked.add(item.id);
            else if (item.error.code === 'enqueue_outcome_unknown') tally.maybe.add(item.id);
          }
        } else if (res.status === 202 && body.id) {
          tally.acked.add(body.id);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
    } finally {
      clearInterval(dropper);
    }
    await waitFor(() => api.connection.status === 'ready' || undefined, { description: 'the producer connection back' });

    // Every waiting job, wherever it waits: BullMQ's wait list, or its tenant's lane.
    const waiting = (await api.queues.sentiment.listJobs(['waiting'], '0', 1_000_000)).jobs.map((job) => String(job.id));
    const stored = new Set(waiting);
    expect(waiting.length, 'no job is listed twice').toBe(stored.size);
    const lost = [...tally.acked].filter((id) => !stored.has(id));
    const unexplained = [...stored].filter((id) => !tally.acked.has(id) && !tally.maybe.has(id));
    expect(lost, 'acknowledged jobs missing from Redis').toEqual([]);
    expect(unexplained, 'jobs in Redis nobody was told about').toEqual([]);
    expect(tally.statuses.get(500) ?? 0, `answers: ${JSON.stringify([...tally.statuses])} ${JSON.stringify([...tally.codes])}`).toBe(0);
    // The run really did both: jobs went in, and connections were cut under them.
    expect(tally.acked.size).toBeGreaterThan(0);
    expect(api.proxy?.counters.cut ?? 0).toBeGreaterThan(0);
  });
});
