/**
 * API processes `npm start` runs when API_INSTANCES is `auto`: one per two cores, at least one. The API shares the machine
 * with Redis and the workers, and on 2 cores a second process only adds contention (the `enqueue` bench measures both).
 */
export function defaultApiInstances(cores: number): number {
  return Math.max(1, Math.floor(cores / 2));
}

/** API_INSTANCES as pm2 needs it: a number, `auto` resolved for this machine's `cores`. */
export function resolveApiInstances(setting: number | 'auto', cores: number): number {
  return setting === 'auto' ? defaultApiInstances(cores) : setting;
}
