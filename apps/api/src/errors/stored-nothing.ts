import { HttpError } from './http-error';

/**
 * Whether an add's error says nothing was stored (refused, or never sent) as
 * opposed to "it may exist" (`enqueue_outcome_unknown`, `replication_unconfirmed`):
 * only then is a rate token given back or a retry free to make a new job.
 */
export function storedNothing(err: unknown): boolean {
  const code = err instanceof HttpError ? err.code : undefined;
  return code === 'tenant_queue_full' || code === 'redis_unavailable' || code === 'redis_memory_high';
}
