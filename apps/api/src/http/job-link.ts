import type { JobType } from '@floodgate/shared/jobs';

/** Where a job is read back. */
export function jobLink(type: JobType, id: string): string {
  return `/v1/jobs/${type}/${encodeURIComponent(id)}`;
}
