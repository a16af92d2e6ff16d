import type { ApiHarness } from '@floodgate/api/testing';
import type { JobType } from '@floodgate/shared/jobs';

const EVERY_STATE = ['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed', 'waiting-children'] as const;

/**
 * The ids of the jobs of `type` in Redis, in every state (jobs waiting for
 * their tenant's turn included), whose payload `matches`: how a test counts
 * what a client's resends stored, behind the API's back.
 */
export async function storedJobIds(api: ApiHarness, type: JobType, matches: (payload: Record<string, unknown>) => boolean): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = '0';
  while (cursor !== null) {
    const page: { jobs: Array<{ id?: string; data: unknown }>; nextCursor: string | null } = await api.queues[type].listJobs([...EVERY_STATE], cursor, 100);
    for (const job of page.jobs) if (matches(job.data as Record<string, unknown>)) ids.push(String(job.id));
    cursor = page.nextCursor;
  }
  return ids;
}
