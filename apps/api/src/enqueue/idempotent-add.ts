import type { JobType } from '@floodgate/shared/jobs';
import type { RedisClient } from '@floodgate/shared/redis';
import type { JobState } from '@floodgate/shared/wire';
import type { Admission } from '../admission/admission';
import type { AddItem, Added, JobAdder } from '../coalesce/job-adder';
import { HttpError, storedNothing } from '../errors';
import { readJob } from '../http/job-view';
import type { JobQueues } from '../redis/queues';
import { withRedis } from '../redis/redis-deadline';
import type { Caller, EnqueueOutcome } from './enqueue-pipeline';
import { samePayload } from './idempotency-key';
import { initialState } from './bull-options';
import { readIdempotencyRecord, type IdempotencyRecord } from './idempotency-record';
import type { JobEnvelope } from './parse-request';

export interface IdempotentAddDeps {
  redis: RedisClient;
  queues: JobQueues;
  admission: Admission;
  adder: JobAdder;
  /** How long a record outlives its job (IDEMPOTENCY_TTL), in seconds. */
  ttlSeconds: number;
}

/** One idempotent request: what it asks, under which id, and whose it is. */
export interface IdempotentRequest {
  type: JobType;
  envelope: JobEnvelope;
  /** The job's id: the caller's own jobId, or the one its Idempotency-Key stands for. */
  id: string;
  /** Digest of the type, payload and options (requestDigest). */
  digest: string;
  caller: Caller;
  /** The add itself, as the pipeline builds it (options, tenant, weight), with the record to write. */
  item: AddItem;
  /** A caller's own jobId may be taken by another caller; an Idempotency-Key's id never is (the caller is in it). */
  kind: 'job-id' | 'idempotency-key';
  /** In a bulk, admitted as a whole before; else admitted here. */
  admitted: boolean;
}

/**
 * An idempotent add: for IDEMPOTENCY_TTL a repeat answers what the first request made (its job, or `expired`), never a
 * second job, whatever happened between (the record is written with the job). Another payload is 409
 * `idempotency_conflict`, another key's jobId 409 `job_id_taken`. Repeats skip admission: they add nothing.
 */
export function createIdempotentAdd(deps: IdempotentAddDeps): (request: IdempotentRequest) => Promise<EnqueueOutcome> {
  /** The job an id names now, or `expired` when retention removed it. */
  const existing = async (type: JobType, id: string): Promise<EnqueueOutcome> => {
    const found = await withRedis(deps.redis, () => readJob(deps.queues[type], id));
    return found ? { created: false, type, id, job: found.job, state: found.state } : { created: false, type, id, state: 'expired' };
  };

  /** What a record says to a repeat: the first request's job (under the id the record is for), or why not. */
  const answerRepeat = (request: IdempotentRequest, record: IdempotencyRecord, id = request.id): Promise<EnqueueOutcome> => {
    if (request.kind === 'job-id' && record.owner !== request.caller.owner) throw jobIdTaken(id);
    if (record.digest !== request.digest) throw conflict(id);
    return existing(request.type, id);
  };

  /** A job with the id but no record: added before records, or around the API. Judged by what it holds. */
  const answerExisting = async (request: IdempotentRequest): Promise<EnqueueOutcome> => {
    const { type, id, envelope, caller } = request;
    const found = await withRedis(deps.redis, () => readJob(deps.queues[type], id));
    if (!found) throw new HttpError('enqueue_outcome_unknown', `The ${type} job "${id}" was there a moment ago and is gone; read it before retrying.`, { details: { id, type } });
    const owner = (found.job.opts as { tenant?: unknown }).tenant;
    if (request.kind === 'job-id' && typeof owner === 'string' && owner !== caller.client) throw jobIdTaken(id);
    if (!samePayload(found.job.data, envelope.payload)) throw conflict(id);
    return { created: false, type, id, job: found.job, state: found.state as JobState };
  };

  return async (request) => {
    const { type, id, caller, envelope } = request;
    const queues = deps.queues[type];
    const partition = queues.partitionOfJob(id);
    // Cheap and first: a repeat is answered from its record (or an earlier job) alone.
    const found = await withRedis(deps.redis, () => findRecord(deps.redis, queues, request));
    if (found) return answerRepeat(request, found.record, found.id);
    if (request.kind === 'job-id' && (await withRedis(deps.redis, () => queues.getJob(id)))) return answerExisting(request);
    if (!request.admitted) await withRedis(deps.redis, () => deps.admission.admit(type, caller.client, 1, partition));
    // In a bulk, admitted as a whole: this item's own partition may still sit on a nearly full primary.
    else deps.admission.refuseWhenRedisFull(type, partition);
    // The token this request took goes back when it stores nothing (in a bulk, the bulk gives them back).
    const refund = () => {
      if (!request.admitted) deps.admission.refund(type, caller.client, 1);
    };
    let added: Added;
    try {
      added = await deps.adder.add(type, request.item);
    } catch (err) {
      if (storedNothing(err)) refund();
      throw err;
    }
    if (added.kind === 'added') return { created: true, type, id, job: added.job, state: initialState(envelope.options) };
    // Another request with this id got there between the look-up and the add: it made the job, this one adds nothing.
    refund();
    if (added.kind === 'asked-before') return answerRepeat(request, added);
    return answerExisting(request);
  };
}

/**
 * The record of a request's id, and the id it is for. An Idempotency-Key's id
 * names the partition the key hashed to when it was first used; the type's
 * partition count may have changed since, so the other open partitions are
 * read too (in parallel) when the current one has none.
 */
async function findRecord(redis: RedisClient, queues: JobQueues[JobType], request: IdempotentRequest): Promise<{ record: IdempotencyRecord; id: string } | undefined> {
  const here = await readIdempotencyRecord(redis, queues.forJob(request.id), request.id);
  if (here) return { record: here, id: request.id };
  if (request.kind !== 'idempotency-key' || queues.partitions.length === 1) return undefined;
  const hash = request.id.slice(request.id.indexOf('-') + 1);
  const elsewhere = await Promise.all(
    queues.partitions.map(async (queue, partition) => {
      const id = `p${partition}-${hash}`;
      const record = id === request.id ? undefined : await readIdempotencyRecord(redis, queue, id);
      return record ? { record, id } : undefined;
    }),
  );
  return elsewhere.find((entry) => entry !== undefined);
}

function conflict(id: string): HttpError {
  return new HttpError('idempotency_conflict', 'This idempotency key (or jobId) was already used with a different payload or options.', { details: { id } });
}

function jobIdTaken(id: string): HttpError {
  return new HttpError('job_id_taken', 'Another API key already used this jobId; choose ids of your own (a prefix of yours, say).', { details: { id } });
}
