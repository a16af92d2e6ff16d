import { checkFetchTarget, type FetchTargetPolicy } from '@floodgate/shared/fetch-target';
import type { JobType } from '@floodgate/shared/jobs';
import type { z } from 'zod';

/**
 * Rules a payload must meet in this deployment, beyond its catalog schema:
 * today, that a page-extract URL does not name an internal target while SSRF
 * protection is on (an IP literal in a private range, or a localhost name). The
 * worker checks again on every address it connects to; refusing here turns an
 * obviously bad job into a 422 instead of a failed job.
 *
 * Returns the problems as zod-style issues under `at` (the payload's path in
 * the request body), or an empty list.
 */
export type PayloadPolicy = (type: JobType, payload: unknown, at: PropertyKey[]) => z.core.$ZodIssue[];

export function createPayloadPolicy(fetchTarget: FetchTargetPolicy): PayloadPolicy {
  return (type, payload, at) => {
    if (type !== 'page-extract') return [];
    const verdict = checkFetchTarget(new URL((payload as { url: string }).url), fetchTarget);
    if (verdict.allowed) return [];
    return [{ code: 'custom', path: [...at, 'url'], message: `${verdict.code}: ${verdict.reason}`, input: payload } as z.core.$ZodIssue];
  };
}
