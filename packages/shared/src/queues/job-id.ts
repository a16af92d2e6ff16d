import { randomFillSync } from 'node:crypto';

/**
 * The id the API gives every job it names itself: `p<partition>-<22 chars>`,
 * the partition a decimal index (0 when the type has one partition) and 16
 * bytes of crypto randomness in base64url. Unique without asking Redis, so an
 * add resent after a dropped connection finds its own job and does nothing.
 */
const API_JOB_ID = /^p(0|[1-9]\d{0,5})-[A-Za-z0-9_-]{22}$/;

/** A new API-assigned job id in `partition`. */
export function newJobId(partition = 0): string {
  if (!Number.isInteger(partition) || partition < 0) throw new RangeError(`a partition is a non-negative integer, not ${partition}`);
  return `p${partition}-${random16Base64url()}`;
}

const ID_BYTES = 16;
/**
 * Random bytes for 256 ids, filled in one call: a bulk request names 1,000
 * jobs, and `randomBytes(16)` per id (a call into the crypto library and a
 * buffer each) was 5% of the API's CPU on that path. Each id still gets 16
 * bytes of its own; no byte is used twice.
 */
const pool = Buffer.alloc(ID_BYTES * 256);
let next = pool.length;

function random16Base64url(): string {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const id = pool.toString('base64url', next, next + ID_BYTES);
  next += ID_BYTES;
  return id;
}

/** The partition an API-assigned id names, or undefined for any other id (a caller's own, BullMQ's numbers). */
export function partitionOfJobId(id: string): number | undefined {
  if (!API_JOB_ID.test(id)) return undefined;
  return Number(id.slice(1, id.indexOf('-')));
}

/** Whether `id` has the API's reserved form (callers may not choose such ids for their own jobs). */
export function isApiJobId(id: string): boolean {
  return API_JOB_ID.test(id);
}
