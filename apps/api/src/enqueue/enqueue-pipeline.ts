import { randomBytes } from 'node:crypto';
import { tenantJobOptions } from '@floodgate/shared/fairness';
import { catalog, jobOptionsFor, type JobType } from '@floodgate/shared/jobs';
import { newJobId } from '@floodgate/shared/queues';
import type { JobState } from '@floodgate/shared/wire';
import type { Job } from 'bullmq';
import type { RedisClient } from '@floodgate/shared/redis';
import type { Admission } from '../admission/admission';
import type { AddItem, JobAdder } from '../coalesce/job-adder';
import { redisUnavailable, storedNothing } from '../errors';
import type { JobQueues } from '../redis/queues';
import { withRedis } from '../redis/redis-deadline';
import { bullOptions, initialState } from './bull-options';
import { createIdempotentAdd } from './idempotent-add';
import { idempotencyKeyOf, refuseKeyWithJobId } from './idempotency-key';
import { idempotentJobId, requestDigest } from './idempotency-record';
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
  /** One job (`POST /v1/jobs/:type`), with the request's `Idempotency-Key` header as sent, if any (checked here: 400 when malformed). */
  one(type: JobType, body: unknown, context: { caller: Caller; idempotencyHeader?: string | string[] | undefined }): Promise<EnqueueOutcome>;
  /**
   * Many jobs of one type (`POST /v1/jobs/:type/bulk`): every item valid or
   * none added, then admitted together, then each item's own outcome: the job,
   * or the error it would have got alone.
   */
  bulk(type: JobType, body: unknown, caller: Caller): Promise<Array<{ envelope: JobEnvelope; outcome: EnqueueOutcome | Error }>>;
  /**
   * What stores jobs of `type` other than by adding one now (a schedule, `PUT
   * /v1/schedules/:id`): the same parse, policy and admission as {@link one}
   * (partition 0's primary, where `write` stores), answered with the same
   * errors, then `write` in place of the add. It spends one rate token, and
   * gets it back when `write` fails having stored nothing, like a failed add.
   */
  enter<T>(type: JobType, body: unknown, caller: Caller, write: (envelope: JobEnvelope) => Promise<T>): Promise<T>;
}

export interface EnqueuePipelineDeps {
  redis: RedisClient;
  queues: JobQueues;
  parser: RequestParser;
  admission: Admission;
  adder: JobAdder;
  /** How long an idempotent request's record outlives its job (IDEMPOTENCY_TTL), in seconds. */
  idempotencyTtlSeconds: number;
}

export function createEnqueuePipeline(deps: EnqueuePipelineDeps): EnqueuePipeline {
  const idempotentAdd = createIdempotentAdd({ ...deps, ttlSeconds: deps.idempotencyTtlSeconds });

  /** A job's add: the type's options and the caller's, its id, its tenant (the caller, and the group it named), and its record when idempotent. */
  const itemOf = (type: JobType, envelope: JobEnvelope, id: string, caller: Caller, digest?: string): AddItem => ({
    data: envelope.payload,
    opts: {
      ...bullOptions(jobOptionsFor(catalog[type]), envelope.options),
      ...tenantJobOptions({ id: caller.client, group: envelope.options?.group ?? '' }),
      jobId: id,
    },
    weight: caller.weight ?? 1,
    ...(digest === undefined ? {} : { record: { digest, owner: caller.owner, ttlSeconds: deps.idempotencyTtlSeconds, nonce: randomBytes(9).toString('base64url') } }),
  });

  /** An admitted write's result, or (its rate token given back) the error that says nothing was stored. */
  const refundUnstored = async <T>(type: JobType, caller: Caller, write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (err) {
      if (storedNothing(err)) deps.admission.refund(type, caller.client, 1);
      throw err;
    }
  };

  /** A plain add's outcome: its job, or the error that says nothing was stored. */
  const addPlain = (type: JobType, envelope: JobEnvelope, id: string, caller: Caller): Promise<EnqueueOutcome> =>
    refundUnstored(type, caller, async () => {
      const added = await deps.adder.add(type, itemOf(type, envelope, id, caller));
      // A fresh random id is never asked for before; `exists` would be this very add, resent.
      return { created: true, type, id, ...(added.kind === 'added' ? { job: added.job } : {}), state: initialState(envelope.options) };
    });

  /** An idempotent request: the caller's own jobId, or an Idempotency-Key (whose id is its hash, in the partition it picks). */
  const addIdempotent = (type: JobType, envelope: JobEnvelope, caller: Caller, key: { jobId: string } | { idempotencyKey: string }, admitted = false) => {
    const id = 'jobId' in key ? key.jobId : idempotentJobId(caller.owner, key.idempotencyKey, deps.queues[type].partitionOfKey(`${caller.owner}\n${key.idempotencyKey}`));
    const digest = requestDigest(type, envelope.payload, envelope.options);
    return idempotentAdd({ type, envelope, id, digest, caller, item: itemOf(type, envelope, id, caller, digest), kind: 'jobId' in key ? 'job-id' : 'idempotency-key', admitted });
  };

  /** A plain job's partition: the next in turn whose primary is neither nearly full nor silent (admission refuses when all are full). */
  const place = (type: JobType) => deps.queues[type].nextPartition((partition) => deps.admission.avoidPartition(type, partition));

  return {
    async one(type, body, { caller, idempotencyHeader }) {
      const idempotencyKey = idempotencyKeyOf(idempotencyHeader);
      const envelope = deps.parser.single(type, body);
      refuseKeyWithJobId(idempotencyKey, envelope.jobId);
      if (idempotencyKey !== undefined) return addIdempotent(type, envelope, caller, { idempotencyKey });
      if (envelope.jobId !== undefined) return addIdempotent(type, envelope, caller, { jobId: envelope.jobId });
      // The hot path. No deadline per request: the batches these calls join each
      // run under one (see coalesce/), one timer per turn instead of one per request.
      if (deps.redis.status !== 'ready') throw redisUnavailable();
      const partition = place(type);
      await deps.admission.admitOne(type, caller.client, partition);
      return addPlain(type, envelope, newJobId(partition), caller);
    },

    async bulk(type, body, caller) {
      const envelopes = deps.parser.bulk(type, body);
      const partitions = envelopes.map((envelope) => (envelope.jobId === undefined ? place(type) : deps.queues[type].partitionOfJob(envelope.jobId)));
      await withRedis(deps.redis, () => deps.admission.admit(type, caller.client, envelopes.length, partitions[0]));
      const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));
      // Items with the caller's own jobId each look their job up first; the others (usually all) go to
      // Redis together, in one call, without a promise per job.
      const own = envelopes.flatMap((envelope, index) =>
        envelope.jobId === undefined ? [] : [{ index, outcome: addIdempotent(type, envelope, caller, { jobId: envelope.jobId }, true).catch(asError) }],
      );
      const fresh = envelopes.flatMap((envelope, index) => (envelope.jobId === undefined ? [{ envelope, index, id: newJobId(partitions[index]) }] : []));
      const added = await deps.adder.addAll(
        type,
        fresh.map(({ envelope, id }) => itemOf(type, envelope, id, caller)),
      );
      const outcomes = new Array<EnqueueOutcome | Error>(envelopes.length);
      fresh.forEach(({ envelope, index, id }, n) => {
        const result = added[n] ?? new Error('the adder returned no outcome for this job');
        outcomes[index] =
          result instanceof Error ? result : { created: true, type, id, ...(result.kind === 'added' ? { job: result.job } : {}), state: initialState(envelope.options) };
      });
      for (const { index, outcome } of own) outcomes[index] = await outcome;
      // The tokens of items that stored nothing (refused, never sent, or a repeat of a jobId) go back.
      const unstored = outcomes.filter((outcome) => (outcome instanceof Error ? storedNothing(outcome) : !outcome.created)).length;
      if (unstored > 0) deps.admission.refund(type, caller.client, unstored);
      return envelopes.map((envelope, index) => ({ envelope, outcome: outcomes[index] ?? new Error('no outcome for this job') }));
    },

    async enter(type, body, caller, write) {
      const envelope = deps.parser.single(type, body);
      await withRedis(deps.redis, () => deps.admission.admitOne(type, caller.client, 0));
      return refundUnstored(type, caller, () => write(envelope));
    },
  };
}
