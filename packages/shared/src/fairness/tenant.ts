import { z } from 'zod';

/**
 * A tenant is who a fair type shares its workers between: the identity the API
 * proved (`key:<id>` for an API key, `ip:<address>` with AUTH_DISABLED), never
 * a string a client picks to escape its share. A key may split its share among
 * groups (`options.group`: the customers it serves); the default group is ''.
 */
export interface Tenant {
  /** `key:<id>` or `ip:<address>`. */
  readonly id: string;
  /** One of the tenant's groups; '' when the job named none. */
  readonly group: string;
}

/** A tenant's id as it appears in paths: `key:<12 hex digits>`, `ip:<address>` or `anonymous`. */
export const TenantId = z
  .string()
  .regex(/^(key:[0-9a-f]{12}|ip:[0-9A-Za-z.:%_-]{1,64}|anonymous)$/, 'a tenant is key:<key id>, ip:<address> or anonymous');

/** A group name: 1-64 letters, digits and `_ . : @ -` (never `/` or a newline, which separate the parts of fairness keys). */
export const GroupName = z
  .string()
  .regex(/^[A-Za-z0-9_.:@-]{1,64}$/, 'a group is 1-64 characters of letters, digits and "_", ".", ":", "@", "-"');

/** Most weight a key may have: a tenant of weight w gets w turns for every one of a tenant of weight 1. */
export const MAX_TENANT_WEIGHT = 1_000;

/** A key's weight: how many turns it gets per turn of a weight-1 tenant. */
export const TenantWeight = z.number().int().min(1).max(MAX_TENANT_WEIGHT);

/** Whose job this is, as its options store it (`opts.tenant`, `opts.group`). */
export interface TenantJobOptions {
  /** The tenant's id. */
  tenant?: string;
  /** The group within the tenant; absent for the default group. */
  group?: string;
}

/**
 * The tenant of a job from its options. A job added without one (by BullMQ
 * directly, or before fairness) belongs to `anonymous`, one tenant of its own.
 */
export function tenantOfJob(opts: object | undefined): Tenant {
  const { tenant, group } = (opts ?? {}) as TenantJobOptions;
  return { id: typeof tenant === 'string' ? tenant : 'anonymous', group: typeof group === 'string' ? group : '' };
}

/** The options that mark a job as the tenant's. */
export function tenantJobOptions(tenant: Tenant): TenantJobOptions {
  return tenant.group === '' ? { tenant: tenant.id } : { tenant: tenant.id, group: tenant.group };
}
