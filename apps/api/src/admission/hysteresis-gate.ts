/**
 * A switch that opens above `high` and closes only once the value falls below
 * `low`. Without the gap, a value hovering at the limit would flip shedding on
 * and off on every sample.
 */
export interface HysteresisGate {
  /** Feeds a new reading; returns whether to shed now. */
  update(value: number): boolean;
  readonly shedding: boolean;
}

export function createHysteresisGate(limits: { high: number; low: number }): HysteresisGate {
  if (!(limits.low <= limits.high)) throw new Error(`low (${limits.low}) must not be above high (${limits.high})`);
  let shedding = false;
  return {
    update(value) {
      if (!shedding && value >= limits.high) shedding = true;
      else if (shedding && value < limits.low) shedding = false;
      return shedding;
    },
    get shedding() {
      return shedding;
    },
  };
}
