import { z } from 'zod';

/**
 * Coercers for environment variables. Every variable arrives as a string (or is
 * missing); a blank value counts as unset, so `FOO=` in a shell falls back to the
 * default instead of failing as "not a number".
 */

const blankToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** A whole number within `[min, max]`, with a default when unset. */
export function intEnv(defaultValue: number, bounds: { min?: number; max?: number } = {}) {
  let schema = z.coerce.number().int();
  if (bounds.min !== undefined) schema = schema.min(bounds.min);
  if (bounds.max !== undefined) schema = schema.max(bounds.max);
  return z.preprocess(blankToUndefined, schema.default(defaultValue));
}

/** A number (fractions allowed) within `[min, max]`, with a default when unset. */
export function numberEnv(defaultValue: number, bounds: { min: number; max: number }) {
  return z.preprocess(blankToUndefined, z.coerce.number().min(bounds.min).max(bounds.max).default(defaultValue));
}

/** A TCP port (1..65535), with a default when unset. */
export function portEnv(defaultValue: number) {
  return intEnv(defaultValue, { min: 1, max: 65_535 });
}

/** `true/false`, `1/0`, `yes/no`, `on/off` as a boolean; anything else is left for the schema to refuse. */
function wordToBoolean(value: unknown): unknown {
  const v = blankToUndefined(value);
  if (typeof v !== 'string') return v;
  const lower = v.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lower)) return true;
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  return v;
}

const BOOLEAN_WORDS = { error: 'expected true/false, 1/0, yes/no or on/off' };

/**
 * A boolean written as `true/false`, `1/0`, `yes/no` or `on/off`. Anything else
 * is an error rather than silently `false` (no string booleans elsewhere).
 */
export function boolEnv(defaultValue: boolean) {
  return z.preprocess(wordToBoolean, z.boolean(BOOLEAN_WORDS).default(defaultValue));
}

/** The same, where unset means "decide from something else" (undefined). */
export function optionalBoolEnv() {
  return z.preprocess(wordToBoolean, z.boolean(BOOLEAN_WORDS).optional());
}

/** A string, with a default when unset or blank. */
export function stringEnv(defaultValue: string) {
  return z.preprocess(blankToUndefined, z.string().min(1).default(defaultValue));
}

/** A string that may be absent; blank counts as absent. */
export function optionalStringEnv() {
  return z.preprocess(blankToUndefined, z.string().min(1).optional());
}

/** One of a fixed set of values, with a default. */
export function enumEnv<const T extends readonly [string, ...string[]]>(values: T, defaultValue: T[number]) {
  return z.preprocess(blankToUndefined, z.enum(values).default(defaultValue as never));
}

/** A `redis://` or `rediss://` URL, or absent. */
export function redisUrlEnv() {
  return z.preprocess(
    blankToUndefined,
    z
      .string()
      .refine((value) => /^rediss?:\/\//.test(value), 'must start with redis:// or rediss://')
      .refine((value) => URL.canParse(value), 'is not a valid URL')
      .optional(),
  );
}
