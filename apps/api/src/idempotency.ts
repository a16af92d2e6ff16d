import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { HttpError } from './errors';

const KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * The id a new job gets when the caller wants at most one job per key: the
 * body's own `jobId` as is, or the job id an `Idempotency-Key` header stands
 * for; undefined with neither (BullMQ numbers the job). Both at once is a 400:
 * which one deduplicates would be a guess.
 */
export function dedupeJobId(req: Request, type: string, bodyJobId: string | undefined): string | undefined {
  const fromHeader = idempotentJobId(req, type);
  if (fromHeader !== undefined && bodyJobId !== undefined) {
    throw new HttpError('invalid_idempotency_key', 'Give either an Idempotency-Key header or a jobId in the body, not both.');
  }
  return bodyJobId ?? fromHeader;
}

/**
 * The job id an `Idempotency-Key` header stands for, or undefined without one.
 * Hashed so any key the client picks becomes a valid BullMQ job id (no ':',
 * never all digits) of fixed length, and keyed by type so two types never collide.
 */
export function idempotentJobId(req: Request, type: string): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (!KEY.test(key)) {
    throw new HttpError('invalid_idempotency_key', 'Idempotency-Key must be 1-128 characters of letters, digits, "_", "-", "." and ":".');
  }
  return `idem-${createHash('sha256').update(`${type}\n${key}`).digest('hex').slice(0, 40)}`;
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
