import type { JobType } from '@floodgate/shared/jobs';
import { jobLink } from '../http/job-link';
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
    err.name === 'AbortError' ||
    err.name === 'ClusterAllFailedError' ||
    /Stream isn't writeable|Connection is closed|enableOfflineQueue|Reached the max retries/i.test(err.message) ||
    // A failover in progress (no primary for the slot yet, MOVED/ASK leftovers, a demoted primary, a replica loading):
    // the command did not run, and a retry finds the new primary.
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

/**
 * 503 `enqueue_outcome_unknown`: the add went out to Redis, and its answer
 * was lost (the connection dropped, the deadline passed). The job may exist:
 * its id is in `details`, so the client can read it before retrying.
 */
export function enqueueOutcomeUnknown(type: JobType, id: string, cause?: unknown): HttpError {
  return new HttpError(
    'enqueue_outcome_unknown',
    `The job store (Redis) took the ${type} job "${id}" but its answer was lost: the job may exist. Read ${jobLink(type, id)} before retrying.`,
    { cause, details: { id, type, links: { self: jobLink(type, id) } }, headers: { 'Retry-After': RETRY_AFTER_SECONDS } },
  );
}

/**
 * Whether ioredis refused a command before writing it (no connection, no offline queue), so nothing reached Redis; any
 * other failure leaves the outcome unknown. Never on a Cluster client: it resends on MOVED, TRYAGAIN or a closed
 * connection, and the last try's error says nothing of the first, so every failed add there "may exist".
 */
export function wasNeverSent(err: unknown, client?: { readonly isCluster?: boolean }): boolean {
  if (client?.isCluster === true) return false;
  return err instanceof Error && /Stream isn't writeable|enableOfflineQueue/i.test(err.message);
}
