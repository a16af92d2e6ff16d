import { KNOWN_VARIABLES } from './known-variables';

/**
 * Prefixes that belong to floodgate. A variable with one of them that no env
 * schema knows is almost surely a typo (WORKER_CONCURENCY) or a variable of an
 * older version, and zod drops unknown keys silently: so each process names it.
 * Other names (PATH, HOME, NODE_OPTIONS, …) are none of floodgate's business.
 */
export const FLOODGATE_PREFIXES = ['API_', 'WORKER_', 'REDIS_', 'QUEUE_', 'DASHBOARD_'] as const;

/** A variable with a floodgate prefix that nothing reads, and the known name nearest to it. */
export interface UnknownVariable {
  name: string;
  closest: string;
}

/**
 * The variables of `source` with a floodgate prefix that are not in `known`
 * (every env schema's variables, see known-variables.ts), sorted by name,
 * each with its closest known name.
 */
export function unknownVariables(source: Readonly<Record<string, string | undefined>>, known: readonly string[] = KNOWN_VARIABLES): UnknownVariable[] {
  const knownSet = new Set(known);
  return Object.keys(source)
    .filter((name) => FLOODGATE_PREFIXES.some((prefix) => name.startsWith(prefix)) && !knownSet.has(name))
    .sort()
    .map((name) => ({ name, closest: closestName(name, known) }));
}

/**
 * The name of `known` fewest edits away from `name` (a transposition counts as
 * one edit, as in WORKER_CONCURENCY / WORKER_CONCURRENCY), ties going to the
 * one with the same prefix, then the first alphabetically.
 */
export function closestName(name: string, known: readonly string[]): string {
  const prefixOf = (text: string) => text.slice(0, text.indexOf('_') + 1);
  let best: { name: string; score: number } | undefined;
  for (const candidate of known) {
    // Whole edits first; a differing prefix costs half an edit, enough only to break ties.
    const score = editDistance(name, candidate) + (prefixOf(candidate) === prefixOf(name) ? 0 : 0.5);
    if (!best || score < best.score || (score === best.score && candidate < best.name)) best = { name: candidate, score };
  }
  return best?.name ?? '';
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours, each one edit. */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: the distance between a's first i characters and b's first j.
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const substitution = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = distance;
    }
  }
  return rows[a.length]![b.length]!;
}

/** The one warning line about them, for a person reading the log: `WORKER_CONCURENCY (did you mean WORKER_CONCURRENCY?)`. */
export function describeUnknownVariables(unknown: readonly UnknownVariable[]): string[] {
  return unknown.map(({ name, closest }) => `${name} (did you mean ${closest}?)`);
}
