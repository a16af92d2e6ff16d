import { fairPartition, MAX_TENANT_OFFSET, MAX_TENANT_PAGE, readTenantReports, TenantId } from '@floodgate/shared/fairness';
import type { RedisClient } from '@floodgate/shared/redis';
import type { TenantPage, TenantPaused } from '@floodgate/shared/wire';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { HttpError, invalidQuery } from '../errors';
import { jobTypeOf } from '../http/request-params';
import type { JobQueues } from '../queues';
import { withRedis } from '../redis-deadline';
import { methodNotAllowed } from './method-not-allowed';

/** `GET /v1/queues/:type/tenants` query: how many, from where. */
export const TenantQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_TENANT_PAGE).default(20),
  cursor: z.coerce.number().int().min(0).max(MAX_TENANT_OFFSET).default(0).describe("the previous page's nextCursor"),
});

/**
 * A fair type's tenants: `GET /v1/queues/:type/tenants` lists the busiest
 * (backlog, running, wait to start), and `POST .../tenants/:tenant/pause` and
 * `/resume` hold one tenant's jobs back (quarantine an abusive key) while the
 * type's other tenants run.
 */
export function tenantsRouter(deps: { queues: JobQueues; redis: RedisClient }): Router {
  const router = Router();
  router
    .route('/v1/queues/:type/tenants')
    .get(async (req, res) => {
      const type = jobTypeOf(req);
      const query = TenantQuery.safeParse(req.query);
      if (!query.success) throw invalidQuery(query.error.issues);
      const { limit, cursor } = query.data;
      const { tenants, total } = await withRedis(deps.redis, () => readTenantReports(deps.redis, deps.queues[type].partitions, { offset: cursor, limit }));
      const next = cursor + limit;
      const body: TenantPage = { type, tenants, nextCursor: next < total && next <= MAX_TENANT_OFFSET ? String(next) : null };
      res.json(body);
    })
    .all(methodNotAllowed(['GET']));

  for (const action of ['pause', 'resume'] as const) {
    router
      .route(`/v1/queues/:type/tenants/:tenant/${action}`)
      .post(async (req, res) => {
        const type = jobTypeOf(req);
        const tenant = tenantOf(req);
        const paused = action === 'pause';
        // Every partition: a tenant's jobs are spread over all of them.
        await withRedis(deps.redis, () => Promise.all(deps.queues[type].partitions.map((queue) => fairPartition(deps.redis, queue).pauseTenant(tenant, paused))));
        const body: TenantPaused = { type, tenant, paused };
        res.json(body);
      })
      .all(methodNotAllowed(['POST']));
  }
  return router;
}

function tenantOf(req: Request): string {
  const tenant = TenantId.safeParse(String(req.params.tenant));
  if (!tenant.success) throw new HttpError('invalid_tenant', 'A tenant is key:<key id>, ip:<address> or anonymous (URL-encoded in the path).');
  return tenant.data;
}
