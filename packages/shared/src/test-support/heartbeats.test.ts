import type { WorkerHeartbeat } from '../workers/heartbeat';

/** A worker heartbeat for tests: one process with no queues, beating at `at`. */
export function sampleHeartbeat(id: string, at: Date = new Date(0)): WorkerHeartbeat {
  return {
    id,
    host: 'h',
    pid: 1,
    queues: [],
    cpuThreads: 1,
    eventLoopDelayP99Ms: 1,
    rssBytes: 1,
    uptimeSeconds: 1,
    startedAt: at.toISOString(),
    beatAt: at.toISOString(),
  };
}
