import { tenantJobOptions } from '@floodgate/shared/fairness';
import { catalog, jobOptionsFor, newJobId, type JobType } from '@floodgate/shared/jobs';
import type { JobState } from '@floodgate/shared/wire';
import type { Job } from 'bullmq';
import type { RedisClient } from '@floodgate/shared/redis';
import type { Admission } from '../admission/admission';
import type { JobAdder } from '../coalesce/job-adder';
import { HttpError, redisUnavailable } from '../errors';
import { readJob } from '../http/job-view';
import type { JobQueues } from '../queues';
import { withRedis } from '../redis-deadline';
import { bullOptions, initialState } from './bull-options';
import { refuseKeyWithJobId, samePayload } from './idempotency-key';
import { requestDigest, type IdempotencyRecords } from './idempotency-record';
import type { JobEnvelope, RequestParser } from './parse-request';

/** Who is enqueueing. */
export interface Caller {
  /**
   * Whom rate limits count against, and the tenant of its jobs in a fair type:
   * `key:<id>`, or `ip:<address>` with auth disabled.
   */
  client: string;
  /** Whose idempotency keys these are: the API key's id (`anonymous` with auth disabled). */
  owner: string;
  /** Its key's weight among a fair type's tenants. @defaultValue 1 */
  weight?: number;
}

/** What became of one job sent to the pipeline. */
export interface EnqueueOutcome {
  type: JobType;
  id: string;
  /** true: added now. false: an idempotency key or `jobId` named a job asked for before, with the same payload. */
  created: boolean;
  state: JobState;
  /** The job as known here; absent when it is `expired` (retention removed it since). */
  job?: Job;
}

/**
 * The one way a job gets into Redis: parse → policy → admission → add
 * (coalesced, one outcome per job) → outcome, which the HTTP adapters (the
 * lean listener, the express routes) turn into answers. Nothing else adds jobs.
 */
export interface EnqueuePipeline {
  /** One job (`POST /v1/jobs/:type`), with the request's `Idempotency-Key` header if any. */
  one(type: JobType, body: unknown, context: { caller: Caller; idempotencyKey?: string | undefined }): Promise<EnqueueOutcome>;
  /**
   * Many jobs of one type (`POST /v1/jobs/:type/bulk`): every item valid or
   * none added, then admitted together, then each item's own outcome: the job,
   * or the error it would have got alone.
   */
  bulk(type: JobType, body: unknown, caller: Caller): Promise<Array<{ envelope: JobEnvelope; outcome: EnqueueOutcome | Error }>>;
}

export interface EnqueuePipelineDeps {
  redis: RedisClient;
  queues: JobQueues;
  parser: RequestParser;
  admission: Admission;
  adder: JobAdder;
  idempotency: IdempotencyRecords;
}

export function createEnqueuePipeline(deps: EnqueuePipelineDeps): EnqueuePipeline {
  /** A job's options: the type's and the caller's, with its id and its tenant (the caller, and the group it named). */
  const optionsOf = (type: JobType, envelope: JobEnvelope, id: string, caller: Caller) => ({
    ...bullOptions(jobOptionsFor(catalog[type]), envelope.options),
    ...tenantJobOptions({ id: caller.client, group: envelope.options?.group ?? '' }),
    jobId: id,
  });

  const addNew = async (type: JobType, envelope: JobEnvelope, id: string, caller: Caller): Promise<EnqueueOutcome> => {
    const job = await deps.adder.add(type, envelope.payload, optionsOf(type, envelope, id, caller), caller.weight);
    return { created: true, type, id, job, state: initialState(envelope.options) };
  };

  /** The job an id names now, or `expired` when retention removed it. */
  const existing = async (type: JobType, id: string): Promise<EnqueueOutcome> => {
    const found = await withRedis(deps.redis, () => readJob(deps.queues[type], id));
    return found ? { created: false, type, id, job: found.job, state: found.state } : { created: false, type, id, state: 'expired' };
  };

  /** A plain job's partition: the next in turn whose primary is neither nearly full nor silent (admission refuses when all are full). */
  const place = (type: JobType) => deps.queues[type].nextPartition((partition) => deps.admission.avoidPartition(type, partition));

  const conflict = (id: string) =>
    new HttpError('idempotency_conflict', 'This idempotency key (or jobId) was already used with a different payload.', { details: { id } });

  /**
   * A caller's own `jobId`: the job it names, or a new one under it. The
   * payload is compared with what Redis stores, after the add too: of two
   * racing requests BullMQ keeps the first job, and the second learns it here.
   */
  const withCallerId = async (type: JobType, envelope: JobEnvelope, id: string, caller: Caller, admitted: boolean, partition?: number): Promise<EnqueueOutcome> => {
    const found = await withRedis(deps.redis, () => deps.queues[type].getJob(id));
    if (found) {
      if (!samePayload(found.data, envelope.payload)) throw conflict(id);
      // Its state as the API reports it (a job waiting for its tenant's turn is in no BullMQ list).
      const state = (await withRedis(deps.redis, () => deps.queues[type].getJobState(id))) as JobState;
      return { created: false, type, id, job: found, state };
    }
    if (!admitted) await withRedis(deps.redis, () => deps.admission.admit(type, caller.client, 1, deps.queues[type].partitionOfJob(id)));
    // In a bulk, admitted as a whole: this item's own partition may still sit on a nearly full primary.
    else if (partition !== undefined) deps.admission.refuseWhenRedisFull(type, partition);
    const outcome = await addNew(type, envelope, id, caller);
    const stored = await withRedis(deps.redis, () => deps.queues[type].getJob(id));
    if (stored && !samePayload(stored.data, envelope.payload)) throw conflict(id);
    return outcome;
  };

  /**
   * An `Idempotency-Key`: a record per (caller, key) says which job it made
   * and with what payload, for IDEMPOTENCY_TTL, whatever the job's retention.
   * The claim is atomic, so of two concurrent requests exactly one names the job.
   */
  const withIdempotencyKey = async (type: JobType, envelope: JobEnvelope, key: string, caller: Caller): Promise<EnqueueOutcome> => {
    const digest = requestDigest(type, envelope.payload);
    // The key picks the partition, so every repeat of it names the same one.
    const fresh = newJobId(deps.queues[type].partitionOfKey(key));
    const record = await withRedis(deps.redis, () => deps.idempotency.claim(caller.owner, key, fresh, digest));
    if (record && record.digest !== digest) throw conflict(record.id);
    if (record?.added) return existing(type, record.id);
    // Claimed now, or claimed by a request whose add is in flight or whose answer was
    // lost: add under the record's id either way (a no-op when the job exists).
    const id = record?.id ?? fresh;
    try {
      await withRedis(deps.redis, () => deps.admission.admit(type, caller.client, 1, deps.queues[type].partitionOfJob(id)));
      const outcome = await addNew(type, envelope, id, caller);
      await withRedis(deps.redis, () => deps.idempotency.markAdded(caller.owner, key, id)).catch(() => undefined);
      return record ? existing(type, id) : outcome;
    } catch (err) {
      // Surely not stored (refused, or never sent): free the key for another try, with any payload.
      if (!record && err instanceof HttpError && err.code !== 'enqueue_outcome_unknown') {
        await withRedis(deps.redis, () => deps.idempotency.release(caller.owner, key, id)).catch(() => undefined);
      }
      throw err;
    }
  };

  return {
    async one(type, body, { caller, idempotencyKey }) {
      const envelope = deps.parser.single(type, body);
      refuseKeyWithJobId(idempotencyKey, envelope.jobId);
      if (idempotencyKey !== undefined) return withIdempotencyKey(type, envelope, idempotencyKey, caller);
      if (envelope.jobId !== undefined) return withCallerId(type, envelope, envelope.jobId, caller, false);
      // The hot path. No deadline per request: the batches these calls join each
      // run under one (see coalesce/), one timer per turn instead of one per request.
      if (deps.redis.status !== 'ready') throw redisUnavailable();
      const partition = place(type);
      await deps.admission.admitOne(type, caller.client, partition);
      return addNew(type, envelope, newJobId(partition), caller);
    },

    async bulk(type, body, caller) {
      const envelopes = deps.parser.bulk(type, body);
      const partitions = envelopes.map((envelope) => (envelope.jobId === undefined ? place(type) : deps.queues[type].partitionOfJob(envelope.jobId)));
      await withRedis(deps.redis, () => deps.admission.admit(type, caller.client, envelopes.length, partitions[0]));
      const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));
      // Items with the caller's own jobId each look their job up first; the others (usually all) go to
      // Redis together, in one call, without a promise per job.
      const own = envelopes.flatMap((envelope, index) =>
        envelope.jobId === undefined ? [] : [{ index, outcome: withCallerId(type, envelope, envelope.jobId, caller, true, partitions[index]).catch(asError) }],
      );
      const fresh = envelopes.flatMap((envelope, index) => (envelope.jobId === undefined ? [{ envelope, index, id: newJobId(partitions[index]) }] : []));
      const added = await deps.adder.addAll(
        type,
        fresh.map(({ envelope, id }) => ({ data: envelope.payload, opts: optionsOf(type, envelope, id, caller), weight: caller.weight ?? 1 })),
      );
      const outcomes = new Array<EnqueueOutcome | Error>(envelopes.length);
      fresh.forEach(({ envelope, index, id }, n) => {
        const job = added[n] ?? new Error('the adder returned no outcome for this job');
        outcomes[index] = job instanceof Error ? job : { created: true, type, id, job, state: initialState(envelope.options) };
      });
      for (const { index, outcome } of own) outcomes[index] = await outcome;
      return envelopes.map((envelope, index) => ({ envelope, outcome: outcomes[index] ?? new Error('no outcome for this job') }));
    },
  };
}
