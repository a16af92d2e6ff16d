import { FloodgateError } from '../errors/floodgate-error';
import { catalog, type JobType } from '../jobs/catalog';

/** Longest `q` read, in characters: a search is a few short terms, never a document. */
export const MAX_QUERY_CHARS = 256;
/** Most terms in one `q` (all must match). */
export const MAX_TERMS = 4;

/** One `field:value` term of `q`. */
export type SearchTerm =
  | { kind: 'id'; id: string }
  /** A payload string field contains `text` (case-insensitive). */
  | { kind: 'contains'; field: string; text: string }
  /** A payload number field equals `value`. */
  | { kind: 'equals'; field: string; value: number }
  /** A payload URL field's host is `host` or one of its subdomains. */
  | { kind: 'host'; field: string; host: string };

/** Characters that only mean something in a pattern: `q` is literal text, so they are refused rather than guessed at. */
const PATTERN_SYNTAX = /[()[\]{}*+\\|^$]/;
const TERM = /^([A-Za-z][A-Za-z0-9_]{0,63})(\.host)?:(?:"([^"]*)"|(\S+))$/;

/**
 * Parses `q`: up to {@link MAX_TERMS} space-separated `field:value` terms, all of which must match: `id:<job id>`,
 * `<payload field>:<text>` (string contains, case-insensitive; number equals), `<field>.host:<host>` (subdomains too);
 * quote values with spaces. Nothing becomes a regular expression: pattern syntax, an unknown field or a too-long `q`
 * throws a {@link SearchQueryError}.
 */
export function parseSearchQuery(type: JobType, q: string): SearchTerm[] {
  if (q.length > MAX_QUERY_CHARS) throw invalidSearch(`q is ${q.length} characters; at most ${MAX_QUERY_CHARS} are read.`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(q)) throw invalidSearch('q holds control characters.');
  const raw = q.match(/\S+:"[^"]*"|\S+/g) ?? [];
  if (raw.length === 0) throw invalidSearch('q is empty; give at least one field:value term.');
  if (raw.length > MAX_TERMS) throw invalidSearch(`q has ${raw.length} terms; at most ${MAX_TERMS}.`);
  const payloadFields = fieldKinds(type);
  return raw.map((term) => {
    const match = TERM.exec(term);
    if (!match) throw invalidSearch(`"${clip(term)}" is not a field:value term.`);
    const [, field = '', hostSuffix, quoted, bare] = match;
    const value = quoted ?? bare ?? '';
    if (value.length === 0) throw invalidSearch(`${field} has an empty value.`);
    if (PATTERN_SYNTAX.test(value)) {
      throw invalidSearch(`The value of ${field} holds pattern syntax (one of ( ) [ ] { } * + \\ | ^ $); q matches literal text only.`);
    }
    if (field === 'id' && !hostSuffix) {
      if (!/^[A-Za-z0-9_:-]{1,128}$/.test(value)) throw invalidSearch('id: takes a job id (1-128 of A-Z a-z 0-9 _ - :).');
      return { kind: 'id', id: value };
    }
    const kind = payloadFields[field];
    if (kind === undefined) {
      throw invalidSearch(`${type} payloads have no field "${field}"; searchable: id, ${Object.keys(payloadFields).join(', ')}.`);
    }
    if (hostSuffix) {
      if (kind !== 'string') throw invalidSearch(`${field} is not text, so it has no host.`);
      if (!/^[A-Za-z0-9.-]{1,253}$/.test(value)) throw invalidSearch(`${field}.host takes a host name.`);
      return { kind: 'host', field, host: value.toLowerCase() };
    }
    if (kind === 'number') {
      const number = Number(value);
      if (!Number.isFinite(number)) throw invalidSearch(`${field} is a number; "${clip(value)}" is not.`);
      return { kind: 'equals', field, value: number };
    }
    return { kind: 'contains', field, text: value.toLowerCase() };
  });
}

/** Whether one job's id and payload match every term. */
export function matchesTerms(terms: readonly SearchTerm[], id: string, data: unknown): boolean {
  const payload = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  return terms.every((term) => {
    if (term.kind === 'id') return id === term.id;
    const value = payload[term.field];
    if (term.kind === 'equals') return value === term.value;
    if (typeof value !== 'string') return false;
    if (term.kind === 'contains') return value.toLowerCase().includes(term.text);
    const host = URL.canParse(value) ? new URL(value).hostname.toLowerCase() : undefined;
    return host !== undefined && (host === term.host || host.endsWith(`.${term.host}`));
  });
}

/** The top-level payload fields of a type that can be searched, by kind, from its catalog schema. */
function fieldKinds(type: JobType): Record<string, 'string' | 'number'> {
  const shape = (catalog[type].payload as { shape?: Record<string, { def?: { type?: string; innerType?: { def?: { type?: string } } } }> }).shape ?? {};
  const kinds: Record<string, 'string' | 'number'> = {};
  for (const [field, schema] of Object.entries(shape)) {
    // Optional fields wrap their schema.
    const kind = schema.def?.type === 'optional' ? schema.def.innerType?.def?.type : schema.def?.type;
    if (kind === 'string' || kind === 'number') kinds[field] = kind;
  }
  return kinds;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** A `q` that is not a search floodgate reads; the API answers it 400 `invalid_search`. */
export class SearchQueryError extends FloodgateError {
  declare readonly code: 'invalid_search';
  constructor(message: string) {
    super('invalid_search', message);
  }
}

function invalidSearch(message: string): SearchQueryError {
  return new SearchQueryError(message);
}
