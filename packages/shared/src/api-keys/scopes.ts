import { z } from 'zod';
import { jobTypes } from '../jobs/catalog';

/**
 * What an API key may do:
 * - `jobs:write` enqueues jobs of every type; `jobs:write:<type>` of one type;
 * - `jobs:read` reads jobs, queues, workers, schedules and the catalog;
 * - `admin` does everything, including cancel, retry, pause, resume and schedules.
 */
export const SCOPES = ['jobs:read', 'jobs:write', ...jobTypes.map((type) => `jobs:write:${type}`), 'admin'] as const;
export type Scope = (typeof SCOPES)[number];
export const Scope = z.enum(SCOPES as unknown as [Scope, ...Scope[]]);

/** Whether a key holding `held` may do what `required` names. */
export function grants(held: readonly Scope[], required: Scope): boolean {
  if (held.includes('admin') || held.includes(required)) return true;
  // `jobs:write` covers every type's `jobs:write:<type>`.
  return required.startsWith('jobs:write:') && held.includes('jobs:write');
}
