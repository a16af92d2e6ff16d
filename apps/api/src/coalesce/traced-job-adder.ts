import type { JobType } from '@floodgate/shared/jobs';
import { inProducerSpan, SpanAttributes } from '@floodgate/shared/tracing';
import type { Telemetry } from 'bullmq';
import type { JobQueues } from '../redis/queues';
import type { JobAdder } from './job-adder';

/**
 * The job adder, traced: each job gets a PRODUCER span (a child of its HTTP
 * request's), and that span's context travels in the job (`opts.telemetry`,
 * as `Queue.add` does it), so the worker's attempts continue the same trace.
 * The coalesced adder bypasses `Queue.add`, hence this instead of BullMQ's own.
 */
export function tracedJobAdder(adder: JobAdder, queues: JobQueues, telemetry: Telemetry): JobAdder {
  const add: JobAdder['add'] = (type: JobType, item) => {
    const queue = queues[type].forJob(item.opts.jobId).name;
    return inProducerSpan(
      `add ${queue}.${type}`,
      { 'bullmq.queue.name': queue, 'bullmq.queue.operation': 'add', 'bullmq.job.name': type, [SpanAttributes.jobType]: type },
      async (span, ctx) => {
        const added = await adder.add(type, { ...item, opts: { ...item.opts, telemetry: { metadata: telemetry.contextManager.getMetadata(ctx) } } });
        span.setAttributes({ 'bullmq.job.id': item.opts.jobId, [SpanAttributes.jobId]: item.opts.jobId });
        return added;
      },
    );
  };
  return {
    add,
    // Each job keeps its own PRODUCER span, so a traced bulk adds its jobs one by one (coalesced all the same).
    addAll: (type, items) => Promise.all(items.map((item) => add(type, item).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))))),
  };
}
