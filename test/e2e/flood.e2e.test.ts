import { createLogger } from '@floodgate/shared/logger';
import { createRedis } from '@floodgate/shared/redis';
import { freePort, spawnNodeProcess, waitFor, type RunningProcess } from '@floodgate/testkit';
import { eachTestConnection, redisTestWith } from '@floodgate/testkit/fixtures';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { API_ENTRY, apiKey, auth, WORKER_ENTRY } from './stack-entries';

const FLOOD_CONNECTIONS = 48;
/** Jobs of another type that must complete one after another while the full backlog is being flooded. */
const OTHER_JOBS = 5;
/** Most tries at enqueueing them (an answer of 429 or 503 is a try): the flood cannot run unbounded. */
const OTHER_TRIES = 200;

/**
 * A Redis of 32 MB for the file, a connection to it per test, and `api`: an API (its compute
 * backlog capped far below the flood) and a worker on it, under a prefix of the test's own,
 * stopped after the test.
 */
const it = redisTestWith({ maxmemory: '32mb' }).extend<{ connection: Redis; prefix: string; api: string }>({
  connection: eachTestConnection((url) => createRedis('worker', { url, logger: createLogger({ name: 'e2e', level: 'silent', pretty: false }) })),
  // eslint-disable-next-line no-empty-pattern
  prefix: async ({}, use) => use(`{flood-${Math.random().toString(36).slice(2)}}`),
  api: async ({ redis, prefix }, use) => {
    const apiPort = await freePort();
    const env = { REDIS_URL: redis.url, QUEUE_PREFIX: prefix };
    const processes: RunningProcess[] = [];
    try {
      processes.push(
        await spawnNodeProcess(API_ENTRY, {
          ...env,
          API_PORT: String(apiPort),
          API_METRICS_PORT: '0', API_HEALTH_PORT: '0',
          API_KEYS: JSON.stringify([apiKey.record]),
          // Far less than the flood offers: most requests must be turned away.
          API_BACKLOG_CAP: 'compute=300',
        }),
      );
      processes.push(await spawnNodeProcess(WORKER_ENTRY, { ...env, WORKER_METRICS_PORT: '0', WORKER_CPU_THREADS: '1' }));
      await use(`http://127.0.0.1:${apiPort}`);
    } finally {
      await Promise.all(processes.map((p) => p.stop()));
    }
  },
});

describe('a flood at the front door', () => {
  it('answers every request with 202, 429 or 503, loses no accepted job, and keeps everything else running', async ({ connection, prefix, api }) => {
    const post = (type: string, payload: unknown) =>
      fetch(`${api}/v1/jobs/${type}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ payload }),
        signal: AbortSignal.timeout(10_000),
      });
    const statuses = new Map<number, number>();
    const accepted: string[] = [];
    const healthStatuses: number[] = [];
    const sentiment = new Queue('sentiment', { connection, prefix });
    // No clock: the flood lasts until, with the compute backlog full (a 429 seen), OTHER_JOBS
    // sentiment jobs have each been accepted and completed; a slow machine just floods longer.
    let saturated = false;
    let otherCompleted = 0;
    let otherTries = 0;
    const flooding = () => otherCompleted < OTHER_JOBS && otherTries < OTHER_TRIES;

    const flooders = Array.from({ length: FLOOD_CONNECTIONS }, async () => {
      while (flooding()) {
        const res = await post('compute', { n: 20, m: 2_000 });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 429) saturated = true;
        const body = (await res.json()) as { id?: string };
        if (res.status === 202 && body.id) accepted.push(body.id);
      }
    });
    const otherType = (async () => {
      await waitFor(() => saturated, { timeoutMs: 60_000, description: 'the compute backlog to fill (a 429)' });
      while (flooding()) {
        otherTries += 1;
        const res = await post('sentiment', { text: 'still flowing' });
        if (res.status !== 202) {
          // Refused (shed or rate-limited): try again a little later, not in a tight loop.
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        const { id } = (await res.json()) as { id: string };
        await waitFor(async () => (await sentiment.getJobState(id)) === 'completed', {
          timeoutMs: 60_000,
          description: `sentiment job ${id} to complete during the flood`,
        });
        otherCompleted += 1;
      }
    })();
    const health = (async () => {
      while (flooding()) {
        healthStatuses.push((await fetch(`${api}/healthz`, { signal: AbortSignal.timeout(10_000) })).status);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await Promise.all([...flooders, otherType, health]);

    // Only 202, 429 and 503: never a 500, never a hang (a hang would have thrown above).
    expect([...statuses.keys()].every((status) => [202, 429, 503].includes(status)), JSON.stringify([...statuses])).toBe(true);
    expect(statuses.get(429) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(0);
    // The other type kept completing while compute requests kept coming.
    expect(otherCompleted).toBe(OTHER_JOBS);
    expect(healthStatuses.length).toBeGreaterThan(0);
    expect(healthStatuses.every((status) => status === 200)).toBe(true);
    // Redis never refused a write for memory.
    expect(await connection.info('errorstats')).not.toMatch(/errorstat_OOM/);

    // Every accepted job exists and is processed in the end.
    const compute = new Queue('compute', { connection, prefix });
    expect(accepted.length).toBeGreaterThan(0);
    await waitFor(async () => (await compute.getMetrics('completed')).meta.count >= accepted.length, {
      timeoutMs: 60_000,
      description: `${accepted.length} accepted compute jobs to complete`,
    });
    expect((await compute.getMetrics('failed')).meta.count).toBe(0);
    await sentiment.close();
    await compute.close();
  });
});
