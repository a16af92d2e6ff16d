import { randomBytes } from 'node:crypto';

export interface Credentials {
  user: string;
  password: string;
  /** True when no password was configured and this one was made up at start. */
  generated: boolean;
}

/**
 * The dashboard's basic-auth credentials. Without a configured password a
 * random one (24 base64url characters, 144 bits) is generated for this run: the
 * dashboard can retry, delete and obliterate jobs, so it never runs open.
 */
export function resolveCredentials(user: string, password: string | undefined): Credentials {
  if (password !== undefined) return { user, password, generated: false };
  return { user, password: randomBytes(18).toString('base64url'), generated: true };
}
