import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { TenantWeight } from '../fairness/tenant';
import { Scope } from './scopes';

/**
 * An API key is `fg_<id>_<secret>` (docs/security.md). Only the secret's SHA-256 is stored: a slow hash buys nothing for
 * 256 random bits, and the check stays cheap on every request.
 */
const KEY = /^fg_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** What is stored for one key: never the key itself. */
export const ApiKeyRecord = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{12}$/),
  /** Who or what the key is for, for people ("ci", "billing-service"). */
  name: z.string().min(1).max(100),
  scopes: z.array(Scope).min(1),
  /** SHA-256 of the secret, hex. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string().optional(),
  /**
   * The key's share of each fair type's workers, against other keys with jobs
   * waiting: a key of weight 2 gets two turns for every one of a weight-1 key.
   * @defaultValue 1
   */
  weight: TenantWeight.optional(),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;

/** A new random key and the record to store for it. The key is shown once, then only its hash exists. */
export function generateApiKey(name: string, scopes: Scope[], weight?: number): { key: string; record: ApiKeyRecord } {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const record = ApiKeyRecord.parse({ id, name, scopes, hash: hashSecret(secret), createdAt: new Date().toISOString(), ...(weight === undefined ? {} : { weight }) });
  return { key: `fg_${id}_${secret}`, record };
}

/** The id and secret of a well-formed key, or undefined. */
export function parseApiKey(key: string): { id: string; secret: string } | undefined {
  const match = KEY.exec(key);
  return match ? { id: match[1] as string, secret: match[2] as string } : undefined;
}

/** Whether `secret` is the one `record` was made for, compared in constant time. */
export function secretMatches(record: ApiKeyRecord, secret: string): boolean {
  return timingSafeEqual(Buffer.from(hashSecret(secret), 'hex'), Buffer.from(record.hash, 'hex'));
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
