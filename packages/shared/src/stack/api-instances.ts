/**
 * API processes `npm start` runs when API_INSTANCES is `auto` (the default):
 * one per two cores, at least one. The API shares the machine with Redis (one
 * core's worth at full load), the workers and, in a bench, the load generator;
 * on a 2-core machine a second API process only adds contention and pm2's
 * per-connection hand-off, and one process serves more requests per second
 * (the `enqueue` bench measures both).
 */
export function defaultApiInstances(cores: number): number {
  return Math.max(1, Math.floor(cores / 2));
}

/** API_INSTANCES as pm2 needs it: a number, `auto` resolved for this machine's `cores`. */
export function resolveApiInstances(setting: number | 'auto', cores: number): number {
  return setting === 'auto' ? defaultApiInstances(cores) : setting;
}
