import { checkFetchTarget, type FetchTargetPolicy } from '@floodgate/shared/fetch-target';
import { catalog, type JobType } from '@floodgate/shared/jobs';
import type { z } from 'zod';

/**
 * Rules a payload must meet in this deployment, beyond its catalog schema:
 * today, that no URL in a field the type's definition names (`urlFields`)
 * names an internal target while SSRF protection is on (an IP literal in a
 * private range, or a localhost name). The
 * worker checks again on every address it connects to; refusing here turns an
 * obviously bad job into a 422 instead of a failed job.
 *
 * Returns the problems as zod-style issues under `at` (the payload's path in
 * the request body), or an empty list.
 */
export type PayloadPolicy = (type: JobType, payload: unknown, at: PropertyKey[]) => z.core.$ZodIssue[];

export function createPayloadPolicy(fetchTarget: FetchTargetPolicy): PayloadPolicy {
  return (type, payload, at) => {
    const issues: z.core.$ZodIssue[] = [];
    for (const field of catalog[type].urlFields) {
      const value = (payload as Record<string, unknown> | undefined)?.[field];
      if (value === undefined) continue;
      if (typeof value !== 'string' || !URL.canParse(value)) {
        issues.push({ code: 'custom', path: [...at, field], message: 'must be an absolute URL', input: payload } as z.core.$ZodIssue);
        continue;
      }
      const verdict = checkFetchTarget(new URL(value), fetchTarget);
      if (!verdict.allowed) issues.push({ code: 'custom', path: [...at, field], message: `${verdict.code}: ${verdict.reason}`, input: payload } as z.core.$ZodIssue);
    }
    return issues;
  };
}
