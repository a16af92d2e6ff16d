/**
 * Field names inside a bucket hash. One place, so writers and the reader
 * cannot drift. Counters are summed over every process that wrote them;
 * gauges are the last value written in the bucket (any process samples the
 * same thing: queue counts, Redis memory).
 */
export const fields = {
  /** Counter: jobs of `type` that completed, or failed for good. */
  finished: (type: string, outcome: 'completed' | 'failed') => `c:${type}:${outcome}`,
  /** Counter: requests the API refused, by error code (rate_limited, queue_full, …). */
  refused: (reason: string) => `c:refused:${reason}`,
  /** Counter: observations of a latency in bin `bin` (see LATENCY_BINS_MS). */
  latencyBin: (type: string, latency: Latency, bin: number) => `h:${type}:${latency}:${bin}`,
  /** Gauge: jobs of `type` in `state` now. */
  depth: (type: string, state: DepthState) => `g:${type}:${state}`,
  /** Gauge: bytes a Redis primary uses (`used`) and may use (`max`; 0 = no limit). */
  memory: (node: string, which: 'used' | 'max') => `g:mem:${node}:${which}`,
} as const;

export type Latency = 'processing' | 'pickup';
export const DEPTH_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
export type DepthState = (typeof DEPTH_STATES)[number];

/**
 * Upper bounds (ms) of the latency histogram's bins; the last bin is open.
 * Mergeable across processes and buckets, so p50/p95 cover every worker.
 */
export const LATENCY_BINS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 300_000] as const;

/** The bin a latency falls in. */
export function latencyBin(ms: number): number {
  const index = LATENCY_BINS_MS.findIndex((bound) => ms <= bound);
  return index === -1 ? LATENCY_BINS_MS.length : index;
}

/**
 * The `q`-quantile of a histogram given as counts per bin, interpolated
 * linearly inside the bin; undefined when it is empty. The open last bin
 * answers its lower bound.
 */
export function quantileOfBins(counts: readonly number[], q: number): number | undefined {
  const total = counts.reduce((sum, n) => sum + n, 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let seen = 0;
  for (let bin = 0; bin < counts.length; bin++) {
    const n = counts[bin] ?? 0;
    if (n > 0 && seen + n >= rank) {
      const low = bin === 0 ? 0 : (LATENCY_BINS_MS[bin - 1] ?? 0);
      const high = LATENCY_BINS_MS[bin];
      if (high === undefined) return low;
      return low + ((high - low) * (rank - seen)) / n;
    }
    seen += n;
  }
  return LATENCY_BINS_MS[LATENCY_BINS_MS.length - 1];
}
