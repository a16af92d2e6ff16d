import { partitionOfJobId, queueIdentity } from '@floodgate/shared/queues';
import { freePort, spawnNodeProcess, waitFor } from '@floodgate/testkit';
import { Queue } from 'bullmq';
import { describe, expect } from 'vitest';
import { privateRedisTest as it } from './private-redis-fixture';
import { API_ENTRY, apiKey, auth } from './stack-entries';

describe('an API process shutting down', () => {
  it('answers a waiting `?wait=` request 202 with its job, and ends an events stream, before it closes', { timeout: 60_000 }, async ({ redis, connection, prefix, processes }) => {
    const apiPort = await freePort();
    // No worker: the job stays waiting, so only the shutdown can end the request.
    const api = await spawnNodeProcess(API_ENTRY, {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: prefix,
      API_PORT: String(apiPort),
      API_METRICS_PORT: '0', API_HEALTH_PORT: '0',
      API_SHUTDOWN_GRACE_MS: '20000',
      API_KEYS: JSON.stringify([apiKey.record]),
    });
    processes.push(api);
    const base = `http://127.0.0.1:${apiPort}`;
    const waiting = fetch(`${base}/v1/jobs/sentiment?wait=30`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ payload: { text: 'answered on the way out' } }),
    });
    // The job exists before the shutdown begins; the request is still waiting for it to finish.
    const listed = async () => {
      const res = await fetch(`${base}/v1/jobs/sentiment?state=waiting`, { headers: auth });
      return ((await res.json()) as { jobs: Array<{ id: string }> }).jobs.map((job) => job.id);
    };
    await waitFor(async () => (await listed()).length === 1, { description: 'the waiting request\'s job to be stored' });
    const [id] = await listed();
    const events = await fetch(`${base}/v1/jobs/sentiment/${id}/events`, { headers: auth });
    expect(events.status).toBe(200);
    // Read up to the first event, then on until the stream ends.
    const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('event: state')) text += (await reader.read()).value ?? '';
    const ended = (async () => {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += chunk.value;
      return text;
    })();

    const stopped = api.stop();
    // Without the release, the server would wait for this request until the grace ran out and the
    // process exited under it: a reset connection, and the caller never learns its job's id.
    const answer = await waiting;
    expect(answer.status).toBe(202);
    expect(await answer.json()).toMatchObject({ id, state: 'waiting' });
    // The stream ends (its client reconnects to another process); the job had not finished.
    expect(await ended).not.toContain('event: completed');
    await stopped;
    expect(api.child.exitCode).toBe(0);

    const { name, prefix: keyPrefix } = queueIdentity('sentiment', prefix, partitionOfJobId(String(id)) ?? 0);
    const queue = new Queue(name, { connection, prefix: keyPrefix });
    expect(await queue.getJob(String(id))).toBeDefined();
    await queue.close();
  });
});
