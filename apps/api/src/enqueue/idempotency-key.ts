import { HttpError } from '../errors';
import { canonicalJson } from './idempotency-record';

const KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The `Idempotency-Key` header's value, checked, or undefined without one. */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !KEY.test(header)) {
    throw new HttpError('invalid_idempotency_key', 'Idempotency-Key must be 1-128 characters of letters, digits, "_", "-", "." and ":".');
  }
  return header;
}

/** Both at once is a 400: which one deduplicates would be a guess. */
export function refuseKeyWithJobId(idempotencyKey: string | undefined, bodyJobId: string | undefined): void {
  if (idempotencyKey !== undefined && bodyJobId !== undefined) {
    throw new HttpError('invalid_idempotency_key', 'Give either an Idempotency-Key header or a jobId in the body, not both.');
  }
}

/** Whether two payloads are the same JSON, whatever the order of their keys. */
export function samePayload(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
