import { HttpError } from '../errors';

/** Deepest nesting of objects and arrays a JSON body may have. Job payloads are shallow; a deeper body is an attack. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether a JSON body nests deeper than `max`, found in one pass over its bytes before parsing (parsing 100,000 `[` first
 * would do the damage the limit prevents). Bytes suffice: every character that matters is ASCII, never inside UTF-8.
 */
export function jsonNestsDeeperThan(body: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

export function jsonTooDeep(): HttpError {
  return new HttpError('json_too_deep', `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`);
}
