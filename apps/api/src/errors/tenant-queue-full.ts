import { HttpError } from './http-error';

/**
 * 429 `tenant_queue_full`: this tenant's jobs waiting for their turn in a fair
 * type reached its share of the backlog (in the partition the job went to);
 * other tenants are still admitted. Nothing was enqueued.
 */
export function tenantQueueFull(type: string, tenant: string, backlog: number, cap: number): HttpError {
  return new HttpError('tenant_queue_full', `Your ${type} jobs waiting for their turn are at your share of the queue (${backlog}, cap ${cap}); retry later.`, {
    details: { tenant, backlog, cap },
    headers: { 'Retry-After': '5' },
  });
}
