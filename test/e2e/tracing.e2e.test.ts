import { freePort, spawnNodeProcess, startOtlpReceiver, waitFor, type OtlpReceiver, type ReceivedSpan, type RunningProcess } from '@floodgate/testkit';
import { redisTest } from '@floodgate/testkit/fixtures';
import { describe, expect } from 'vitest';
import { API_ENTRY, apiKey, auth as e2eAuth, WORKER_ENTRY } from './stack-entries';

/**
 * One trace from the HTTP request to the handler's own spans, across two real
 * processes and Redis: the API and a worker export OTLP to a receiver that
 * keeps the spans in memory, configured only by the standard OTEL_* env.
 */

const auth = { ...e2eAuth, 'content-type': 'application/json' };

const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

/** The file's traced stack: the receiver, and the URL of the API exporting to it (a worker exports there too). */
interface Traced {
  api: string;
  receiver: OtlpReceiver;
}

/** The file's Redis, and on it `traced`: started by the first test that asks, stopped after the file (each test's jobs are its own). */
const it = redisTest.extend<{ traced: Traced }>({
  traced: [
    async ({ redis }, use) => {
      const receiver = await startOtlpReceiver();
      const processes: RunningProcess[] = [];
      try {
        const prefix = `{trace-${Math.random().toString(36).slice(2)}}`;
        // Short export delay: the test waits for spans, and would wait 5 s per batch otherwise.
        const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' };
        const common = { REDIS_URL: redis.url, QUEUE_PREFIX: prefix, ...otel };
        processes.push(await spawnNodeProcess(WORKER_ENTRY, { ...common, WORKER_METRICS_PORT: '0', WORKER_CPU_THREADS: '1' }));
        const port = await freePort();
        processes.push(
          await spawnNodeProcess(API_ENTRY, { ...common, API_PORT: String(port), API_METRICS_PORT: '0', API_HEALTH_PORT: '0', API_KEYS: JSON.stringify([apiKey.record]) }),
        );
        await use({ api: `http://127.0.0.1:${port}`, receiver });
      } finally {
        await Promise.all(processes.map((p) => p.stop()));
        await receiver.close();
      }
    },
    { scope: 'file' },
  ],
});

/** Enqueues, waits for the job to finish, and returns its id. */
async function enqueueAndFinish({ api }: Traced, path: string, body: object, headers: Record<string, string> = {}, expected = 'completed'): Promise<string> {
  const posted = await fetch(`${api}${path}`, { method: 'POST', headers: { ...auth, ...headers }, body: JSON.stringify(body) });
  expect(posted.status).toBeLessThan(300);
  const { id, type } = (await posted.json()) as { id: string; type: string };
  const view = await waitFor(async () => {
    const res = await fetch(`${api}/v1/jobs/${type}/${id}?wait=5`, { headers: auth });
    const job = (await res.json()) as { state: string };
    return job.state === 'completed' || job.state === 'failed' ? job : undefined;
  }, { timeoutMs: 60_000, description: `job ${id} to finish` });
  expect(view.state).toBe(expected);
  return id;
}

/** Job ids are per queue: a job is its type and its id. */
const isAttemptOf = (span: ReceivedSpan, type: string, id: string) =>
  span.kind === CONSUMER && span.attributes['floodgate.job.type'] === type && span.attributes['floodgate.job.id'] === id;

/**
 * The spans of the trace that holds the worker's attempt of job `id`, once the request's span
 * and (when named) the attempt's handler span arrived. A batch type's handler serves several
 * jobs in one call, so its span hangs under one of their attempts: pass no handler span for it.
 */
function traceOfJob({ receiver }: Traced, type: string, id: string, handlerSpan?: string): Promise<{ attempt: ReceivedSpan; spans: ReceivedSpan[] }> {
  return waitFor(
    () => {
      const attempt = receiver.spans.find((s) => isAttemptOf(s, type, id));
      if (!attempt) return undefined;
      const spans = receiver.spans.filter((s) => s.traceId === attempt.traceId);
      const handled = handlerSpan === undefined || spans.some((s) => s.name === handlerSpan && s.parentSpanId === attempt.spanId);
      const complete = spans.some((s) => s.kind === SERVER) && handled;
      return complete ? { attempt, spans } : undefined;
    },
    { timeoutMs: 30_000, description: `the spans of job ${id}` },
  );
}

const byId = (spans: ReceivedSpan[], spanId: string) => spans.find((s) => s.spanId === spanId);

describe('tracing (OTLP from the API and a worker process)', () => {
  it('links a lean-path enqueue to the worker attempt and its CPU task in one trace', async ({ traced }) => {
    const id = await enqueueAndFinish(traced, '/v1/jobs/sentiment', { payload: { text: 'What a wonderful, happy day' } });
    const { attempt, spans } = await traceOfJob(traced, 'sentiment', id, 'cpu task');

    // The worker's attempt: a child of the API's add span, with the job's attributes.
    expect(attempt.service).toBe('floodgate-worker');
    expect(attempt.attributes).toMatchObject({
      'floodgate.job.id': id,
      'floodgate.job.type': 'sentiment',
      'floodgate.job.attempt': 1,
      'floodgate.job.outcome': 'completed',
    });
    const add = byId(spans, attempt.parentSpanId);
    expect(add).toMatchObject({ service: 'floodgate-api', kind: PRODUCER, attributes: expect.objectContaining({ 'floodgate.job.id': id, 'floodgate.job.type': 'sentiment' }) });

    // The add span's parent is the HTTP request, the root of the trace.
    const request = byId(spans, add!.parentSpanId);
    expect(request).toMatchObject({ service: 'floodgate-api', kind: SERVER, name: 'POST /v1/jobs/:type', parentSpanId: '' });
    expect(request!.attributes).toMatchObject({ 'http.response.status_code': 202, 'http.route': '/v1/jobs/:type' });

    // The handler's CPU task, inside the attempt.
    const cpu = spans.find((s) => s.name === 'cpu task');
    expect(cpu).toMatchObject({ service: 'floodgate-worker', parentSpanId: attempt.spanId, attributes: { 'floodgate.cpu.task': 'sentiment' } });

    // One trace: every span of it hangs off the request.
    const roots = spans.filter((s) => !byId(spans, s.parentSpanId));
    expect(roots.map((s) => s.spanId)).toEqual([request!.spanId]);
  });

  it('continues a caller\'s trace through express (an idempotent enqueue)', async ({ traced }) => {
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const callerSpan = '0102030405060708';
    const id = await enqueueAndFinish(
      traced,
      '/v1/jobs/compute',
      { payload: { n: 2, m: 10 } },
      { 'idempotency-key': `trace-${Math.random().toString(36).slice(2)}`, traceparent: `00-${traceId}-${callerSpan}-01` },
    );
    const { attempt, spans } = await traceOfJob(traced, 'compute', id, 'cpu task');
    expect(attempt.traceId).toBe(traceId);
    expect(attempt.attributes).toMatchObject({ 'floodgate.job.type': 'compute', 'floodgate.job.outcome': 'completed' });
    const add = byId(spans, attempt.parentSpanId);
    expect(add).toMatchObject({ service: 'floodgate-api', kind: PRODUCER });
    const request = byId(spans, add!.parentSpanId);
    expect(request).toMatchObject({ kind: SERVER, name: 'POST /v1/jobs/:type', parentSpanId: callerSpan });
  });

  it('gives each attempt its own span, with the outcome and the error code', async ({ traced }) => {
    const { receiver } = traced;
    // Far more CPU than 100 ms: each attempt times out; the second is the last.
    const options = { attempts: 2, timeoutMs: 100, backoff: { type: 'fixed', delayMs: 10 } };
    const id = await enqueueAndFinish(traced, '/v1/jobs/compute', { payload: { n: 2_000, m: 10_000 }, options }, {}, 'failed');
    const attempts = await waitFor(
      () => {
        const found = receiver.spans.filter((s) => isAttemptOf(s, 'compute', id));
        return found.length === 2 ? found : undefined;
      },
      { timeoutMs: 30_000, description: `both attempts of job ${id}` },
    );
    const [first, second] = [...attempts].sort((a, b) => Number(a.attributes['floodgate.job.attempt']) - Number(b.attributes['floodgate.job.attempt']));
    expect(first!.attributes).toMatchObject({ 'floodgate.job.attempt': 1, 'floodgate.job.outcome': 'retrying', 'floodgate.job.error_code': 'job_timeout' });
    expect(second!.attributes).toMatchObject({ 'floodgate.job.attempt': 2, 'floodgate.job.outcome': 'failed', 'floodgate.job.error_code': 'job_timeout' });
    expect(second!.statusCode).toBe(2);
    // Both attempts continue the request's trace, from the same add span.
    expect(second!.traceId).toBe(first!.traceId);
    expect(second!.parentSpanId).toBe(first!.parentSpanId);
    expect(byId([...receiver.spans], first!.parentSpanId)).toMatchObject({ service: 'floodgate-api', kind: PRODUCER });
  });

  it('puts every job of a bulk request in the request\'s trace, each with its own add span', async ({ traced }) => {
    const { api, receiver } = traced;
    const posted = await fetch(`${api}/v1/jobs/sentiment/bulk`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ jobs: [{ payload: { text: 'good' } }, { payload: { text: 'bad' } }] }),
    });
    expect(posted.status).toBe(202);
    const { jobs } = (await posted.json()) as { jobs: Array<{ id: string }> };
    // sentiment is a batch type: both jobs may share one CPU task, under one of their attempts.
    const attempts = await Promise.all(jobs.map(({ id }) => traceOfJob(traced, 'sentiment', id)));
    await waitFor(() => receiver.spans.some((s) => s.name === 'cpu task' && attempts.some(({ attempt }) => s.parentSpanId === attempt.spanId)), {
      timeoutMs: 30_000,
      description: "the batch's CPU task span under one of its jobs' attempts",
    });
    const adds = attempts.map(({ attempt, spans }) => byId(spans, attempt.parentSpanId));
    expect(adds.every((add) => add?.kind === PRODUCER)).toBe(true);
    expect(new Set(adds.map((add) => add!.spanId)).size).toBe(2);
    const requests = attempts.map(({ spans }, i) => byId(spans, adds[i]!.parentSpanId));
    expect(requests[0]).toMatchObject({ kind: SERVER, name: 'POST /v1/jobs/:type/bulk' });
    expect(requests[1]!.spanId).toBe(requests[0]!.spanId);
  });
});
