/**
 * Longest the API holds an answer for a job to finish (`?wait=`). Repeated from
 * the API rather than imported: this package has no runtime dependencies.
 */
export const MAX_WAIT_SECONDS = 30;

/**
 * `value` when it is a whole number of seconds the API accepts, else a RangeError.
 * Checked here because the client also stretches its own request timeout by it,
 * and because `?wait=0` on an enqueue would quietly change what the API answers
 * (the short enqueue shape, not the job's view).
 */
export function checkWaitSeconds(value: number, min: number): number {
  if (!Number.isInteger(value) || value < min || value > MAX_WAIT_SECONDS) {
    throw new RangeError(`waitSeconds must be a whole number from ${min} to ${MAX_WAIT_SECONDS}; got ${String(value)}.`);
  }
  return value;
}
