import type { Logger } from '@floodgate/shared/logger';

/** One line of the results table: floodgate against its baseline, on one metric. */
export interface ResultRow {
  scenario: string;
  /** What was measured, with its unit: "jobs/s", "p99 ms". */
  metric: string;
  floodgate: number | null;
  baseline: number | null;
  /** How to read the ratio: `floodgate / baseline` when higher is better, `baseline / floodgate` when lower is. */
  better: 'higher' | 'lower';
  /** The ratio floodgate must reach (≥), or null when there is none. */
  target: number | null;
  /** Anything a reader needs to interpret the row. */
  note?: string;
  /** Pass/fail for rows that are not a ratio (say, "0 lost jobs"); overrides the ratio check. */
  met?: boolean;
}

export interface BenchContext {
  /** `--quick`: small and short, a smoke test that finishes in well under a minute. */
  quick: boolean;
  /** A private Redis for this run. */
  redisUrl: string;
  /** A fresh hash-tagged key prefix, so runs never see each other's jobs. */
  newPrefix(): string;
  logger: Logger;
  /** Picks the full or quick value of a knob. */
  size<T>(full: T, quick: T): T;
}

/** One scenario: a module under `scenarios/`, with its baseline beside it. */
export interface Scenario {
  name: string;
  /** One line: what is compared with what. */
  title: string;
  run(ctx: BenchContext): Promise<ResultRow[]>;
}

/** `floodgate / baseline` (or the inverse when lower is better), or null when either side is missing. */
export function ratioOf(row: ResultRow): number | null {
  if (row.floodgate === null || row.baseline === null || row.floodgate === 0 || row.baseline === 0) return null;
  return row.better === 'higher' ? row.floodgate / row.baseline : row.baseline / row.floodgate;
}
