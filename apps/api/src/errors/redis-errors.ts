import { HttpError } from './http-error';

/** Seconds a client should wait before retrying while Redis is away. */
const RETRY_AFTER_SECONDS = '2';

/** 503 `redis_unavailable`: Redis is not connected; nothing was enqueued. */
export function redisUnavailable(cause?: unknown): HttpError {
  return new HttpError('redis_unavailable', 'The job store (Redis) is unavailable; nothing was enqueued. Retry shortly.', {
    cause,
    headers: { 'Retry-After': RETRY_AFTER_SECONDS },
  });
}

/** 503 `redis_timeout`: Redis did not answer in time; the outcome of a write is unknown. */
export function redisTimeout(): HttpError {
  return new HttpError('redis_timeout', 'The job store (Redis) did not answer in time. Retry shortly.', {
    headers: { 'Retry-After': RETRY_AFTER_SECONDS },
  });
}

/**
 * Whether an error thrown by ioredis/BullMQ means "Redis is not reachable"
 * rather than a bug: those become 503s, everything else a 500.
 */
export function isRedisConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  if (code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) return true;
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    err.name === 'ClusterAllFailedError' ||
    /Stream isn't writeable|Connection is closed|enableOfflineQueue|Reached the max retries/i.test(err.message) ||
    // A failover in progress: no primary for the slot yet (cluster), a node that no
    // longer serves the slot (MOVED/ASK left over in a pipeline's replies), a demoted
    // primary (READONLY), a replica still loading. The command did not run; a retry
    // finds the new primary.
    /^(CLUSTERDOWN|TRYAGAIN|READONLY|MASTERDOWN|LOADING|MOVED|ASK)\b|Too many Cluster redirections|Failed to refresh slots cache|None of startup nodes is available/.test(err.message)
  );
}

/** Redis refused a write at `maxmemory` (noeviction): like redis_memory_high, nothing was enqueued. */
export function isRedisOutOfMemory(err: unknown): boolean {
  return err instanceof Error && /^OOM /.test(err.message);
}

/** 503 `redis_memory_high`: Redis is (nearly) full; new jobs wait until workers drain it. */
export function redisMemoryHigh(details?: unknown): HttpError {
  return new HttpError('redis_memory_high', 'The job store (Redis) is nearly full; new jobs are refused until workers drain the backlog.', {
    details,
    headers: { 'Retry-After': '5' },
  });
}
