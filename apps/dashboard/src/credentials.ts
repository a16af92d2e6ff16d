import { randomBytes } from 'node:crypto';

/** Who may use the dashboard. */
export interface Credentials {
  user: string;
  password: string;
  /** True when no password was configured and this one was made up for this run; the caller logs it once. */
  generated: boolean;
}

/** Random bytes in a generated password: 18 bytes are 24 base64url characters, 144 bits. */
export const GENERATED_PASSWORD_BYTES = 18;

/**
 * The dashboard's basic-auth credentials: the configured ones, or, without a
 * password, a random one for this run. The dashboard can retry, delete and
 * obliterate jobs, so it never runs open.
 */
export function resolveCredentials(config: { user: string; password?: string | undefined }): Credentials {
  if (config.password !== undefined) return { user: config.user, password: config.password, generated: false };
  return { user: config.user, password: randomBytes(GENERATED_PASSWORD_BYTES).toString('base64url'), generated: true };
}
