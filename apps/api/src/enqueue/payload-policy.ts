import { checkFetchTarget, type FetchTargetPolicy } from '@floodgate/shared/fetch-target';
import { catalog, type JobType } from '@floodgate/shared/jobs';
import type { z } from 'zod';

/**
 * Rules a payload must meet here beyond its catalog schema: today, no URL in the type's `urlFields` naming an internal
 * target while SSRF protection is on (the worker checks every address again; this makes a bad job a 422, not a failed
 * job). Returns zod-style issues under `at` (the payload's path in the body), or an empty list.
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
