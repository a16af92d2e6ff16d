import { createHash } from 'node:crypto';
import { HttpError } from '../errors';

const KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The `Idempotency-Key` header's value, checked, or undefined without one. */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !KEY.test(header)) {
    throw new HttpError('invalid_idempotency_key', 'Idempotency-Key must be 1-128 characters of letters, digits, "_", "-", "." and ":".');
  }
  return header;
}

/**
 * The id a new job gets when the caller wants at most one job per key: the
 * body's own `jobId` as is, or the job id an `Idempotency-Key` stands for;
 * undefined with neither. Both at once is a 400: which one deduplicates would be a guess.
 */
export function dedupeJobId(type: string, idempotencyKey: string | undefined, bodyJobId: string | undefined): string | undefined {
  if (idempotencyKey !== undefined && bodyJobId !== undefined) {
    throw new HttpError('invalid_idempotency_key', 'Give either an Idempotency-Key header or a jobId in the body, not both.');
  }
  if (idempotencyKey === undefined) return bodyJobId;
  // Hashed so any key becomes a valid BullMQ job id (no ':', never all digits), keyed by type so two types never collide.
  return `idem-${createHash('sha256').update(`${type}\n${idempotencyKey}`).digest('hex').slice(0, 40)}`;
}

/** Whether two payloads are the same JSON, whatever the order of their keys. */
export function samePayload(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
