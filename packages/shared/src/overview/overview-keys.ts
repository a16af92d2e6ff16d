/**
 * One resolution of the overview's history: counters and gauges are kept in
 * one Redis hash per bucket of `bucketMs`, which expires `keepMs` after it was
 * last written. Three resolutions, so a 24 h chart reads 288 buckets rather
 * than 8,640, and every key expires by itself: the history stays bounded.
 */
export interface Resolution {
  /** Name in the key: `10s`, `1m`, `5m`. */
  name: string;
  bucketMs: number;
  keepMs: number;
}

export const RESOLUTIONS = [
  { name: '10s', bucketMs: 10_000, keepMs: 20 * 60_000 },
  { name: '1m', bucketMs: 60_000, keepMs: 2 * 3_600_000 },
  { name: '5m', bucketMs: 300_000, keepMs: 25 * 3_600_000 },
] as const satisfies readonly Resolution[];

/** The chart windows the overview offers, each read at the resolution that gives it 60 to 360 points. */
export const WINDOWS = {
  '15m': { spanMs: 15 * 60_000, resolution: RESOLUTIONS[0] },
  '1h': { spanMs: 3_600_000, resolution: RESOLUTIONS[1] },
  '24h': { spanMs: 24 * 3_600_000, resolution: RESOLUTIONS[2] },
} as const;
export type WindowName = keyof typeof WINDOWS;

/** The start of the bucket of `resolution` that holds `atMs`. */
export function bucketStart(resolution: Resolution, atMs: number): number {
  return Math.floor(atMs / resolution.bucketMs) * resolution.bucketMs;
}
