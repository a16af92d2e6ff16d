import { fairPartition, MAX_TENANT_OFFSET, readTenantReports, TenantId } from '@floodgate/shared/fairness';
import type { JobType } from '@floodgate/shared/jobs';
import type { RedisClient } from '@floodgate/shared/redis';
import type { TenantPage, TenantPaused } from '@floodgate/shared/wire';
import type { Request } from 'express';
import { HttpError } from '../errors';
import type { JobQueues } from '../redis/queues';
import { withRedis } from '../redis/redis-deadline';
import type { HandlersOf } from './route-handlers';

/**
 * A fair type's tenants: `GET /v1/queues/:type/tenants` lists the busiest
 * (backlog, running, wait to start), and `POST .../tenants/:tenant/pause` and
 * `/resume` hold one tenant's jobs back (quarantine an abusive key) while the
 * type's other tenants run.
 */
export function tenantsHandlers(deps: { queues: JobQueues; redis: RedisClient }): HandlersOf<'listTenants' | 'pauseTenant' | 'resumeTenant'> {
  const setPaused = async (type: JobType, req: Request, paused: boolean) => {
    const tenant = tenantOf(req);
    // Every partition: a tenant's jobs are spread over all of them.
    await withRedis(deps.redis, () => Promise.all(deps.queues[type].partitions.map((queue) => fairPartition(deps.redis, queue).pauseTenant(tenant, paused))));
    const body: TenantPaused = { type, tenant, paused };
    return { status: 200 as const, body };
  };
  return {
    listTenants: async ({ type, query: { limit, cursor } }) => {
      const { tenants, total } = await withRedis(deps.redis, () => readTenantReports(deps.redis, deps.queues[type].partitions, { offset: cursor, limit }));
      const next = cursor + limit;
      const body: TenantPage = { type, tenants, nextCursor: next < total && next <= MAX_TENANT_OFFSET ? String(next) : null };
      return { status: 200, body };
    },
    pauseTenant: ({ type, req }) => setPaused(type, req, true),
    resumeTenant: ({ type, req }) => setPaused(type, req, false),
  };
}

function tenantOf(req: Request): string {
  const tenant = TenantId.safeParse(String(req.params.tenant));
  if (!tenant.success) throw new HttpError('invalid_tenant', 'A tenant is key:<key id>, ip:<address> or anonymous (URL-encoded in the path).');
  return tenant.data;
}
