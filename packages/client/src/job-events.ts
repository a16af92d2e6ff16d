import { jobPath } from './answers.js';
import { FloodgateNetworkError } from './floodgate-network-error.js';
import { openStream, systemCodeOf, type CallSettings, type HttpRequest, type TransportSettings } from './http-transport.js';
import type { AnyJobs, JobMap, ResultOf, TypeOf } from './job-map.js';
import type { Job } from './job.js';
import { pause } from './pause.js';
import { isWorthRetrying, retryAfterOf, retryDelayMs } from './retry-policy.js';
import { ServerSentEventParser, type ServerSentEvent } from './sse-parser.js';

/**
 * A stream that says nothing for this long is taken for dead and reconnected:
 * the API sends a keep-alive comment every 15 s, so three missed ones mean the
 * connection went silent (a peer gone without a reset), not a quiet job.
 */
export const STREAM_IDLE_MS = 45_000;

/**
 * One event of a job's stream, with its `id`. `state`: the job now (first on
 * every connection, resumed ones included); `progress`: what its handler
 * reported; `completed` / `failed`: how it ended, the last event.
 */
export type JobEvent<Jobs extends JobMap<Jobs> = AnyJobs, T extends TypeOf<Jobs> = TypeOf<Jobs>> = T extends unknown
  ?
      | { event: 'state'; id: string | undefined; job: Job<Jobs, T> }
      | { event: 'progress'; id: string | undefined; progress: unknown }
      | { event: 'completed'; id: string | undefined; result: ResultOf<Jobs, T> }
      | { event: 'failed'; id: string | undefined; error: string }
  : never;

export interface JobEventsOptions extends CallSettings {
  /** Resume a stream you followed before: the `id` of the last event you saw. */
  lastEventId?: string;
}

/**
 * `GET /v1/jobs/:type/:id/events`, followed to the job's end (`completed` or `failed`). A dropped stream reconnects with
 * `Last-Event-ID` and gets the job's `state` now, then live events (missed progress is not replayed). Reconnects wait as
 * resends do and count against `maxRetries` in a row: any event received resets the count.
 */
export async function* followJobEvents<Jobs extends JobMap<Jobs>, T extends TypeOf<Jobs>>(
  settings: TransportSettings,
  type: T,
  id: string,
  options: JobEventsOptions,
): AsyncGenerator<JobEvent<Jobs, T>, void, undefined> {
  const maxRetries = options.maxRetries ?? settings.maxRetries;
  let lastEventId = options.lastEventId;
  let failures = 0;
  for (;;) {
    const request: HttpRequest = {
      method: 'GET',
      path: `${jobPath(type, id)}/events`,
      headers: lastEventId === undefined ? {} : { 'last-event-id': lastEventId },
      resend: 'safe',
    };
    const url = `${settings.baseUrl}${request.path}`;
    // Ends this connection: the caller's signal, a silent peer, or the loop left early.
    const connection = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, connection.signal]) : connection.signal;
    let idle: ReturnType<typeof setTimeout> | undefined;
    let wentSilent = false;
    const watchIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        wentSilent = true;
        connection.abort();
      }, STREAM_IDLE_MS);
    };
    let failure: unknown;
    let serverRetryMs: number | undefined;
    try {
      const response = await openStream(settings, request, { ...options, signal });
      const parser = new ServerSentEventParser();
      const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
      watchIdle();
      for (;;) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (err) {
          if (options.signal?.aborted) throw options.signal.reason;
          throw broken(url, err, wentSilent);
        }
        if (chunk.done) break;
        watchIdle();
        for (const sse of parser.push(chunk.value)) {
          if (sse.id !== undefined) lastEventId = sse.id;
          serverRetryMs = sse.retry;
          const event = jobEventOf<Jobs, T>(sse, url);
          if (!event) continue;
          failures = 0;
          yield event;
          if (event.event === 'completed' || event.event === 'failed') return;
        }
      }
      failure = new FloodgateNetworkError(`GET ${url}: the event stream ended before the job did`, { method: 'GET', url });
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (!isWorthRetrying(err, 'safe')) throw err;
      failure = err;
    } finally {
      clearTimeout(idle);
      connection.abort();
    }
    if (failures >= maxRetries) throw failure;
    await pause(serverRetryMs ?? retryDelayMs(failures, retryAfterOf(failure)), options.signal);
    failures += 1;
  }
}

/** The typed event of one Server-Sent Event, or undefined for an event this client does not know. */
function jobEventOf<Jobs extends JobMap<Jobs>, T extends TypeOf<Jobs>>(sse: ServerSentEvent, url: string): JobEvent<Jobs, T> | undefined {
  if (!['state', 'progress', 'completed', 'failed'].includes(sse.event)) return undefined;
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(sse.data) as Record<string, unknown>;
  } catch (err) {
    throw new FloodgateNetworkError(`GET ${url}: a ${sse.event} event whose data is not JSON`, { method: 'GET', url, cause: err, body: sse.data.slice(0, 500) });
  }
  const { id } = sse;
  if (sse.event === 'state') return { event: 'state', id, job: data } as JobEvent<Jobs, T>;
  if (sse.event === 'progress') return { event: 'progress', id, progress: data.progress } as JobEvent<Jobs, T>;
  if (sse.event === 'completed') return { event: 'completed', id, result: data.result } as JobEvent<Jobs, T>;
  return { event: 'failed', id, error: data.error } as JobEvent<Jobs, T>;
}

/** A stream that broke mid-way (reset, or silent for too long), as a network error worth a reconnect. */
function broken(url: string, err: unknown, wentSilent: boolean): FloodgateNetworkError {
  if (wentSilent) {
    return new FloodgateNetworkError(`GET ${url}: the event stream said nothing for ${STREAM_IDLE_MS} ms`, { method: 'GET', url, cause: err, timedOut: true });
  }
  const code = systemCodeOf(err);
  return new FloodgateNetworkError(`GET ${url}: the event stream broke: ${code ?? String(err)}`, { method: 'GET', url, cause: err, code });
}
