/** Settings given to `startWorker`/`startApi`/`startDashboard`, named as their environment variables. */
export type EnvInput = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Puts `env` into `process.env`, where the process's env module parses every
 * setting once when it loads (after this). Given values win over the
 * environment's; undefined ones are left out.
 */
export function applyEnv(env: EnvInput | undefined): void {
  for (const [name, value] of Object.entries(env ?? {})) {
    if (value !== undefined) process.env[name] = String(value);
  }
}
