import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a signed-in person may do: admins everything Bull Board offers, viewers only look. */
export type Role = 'admin' | 'viewer';

/** Who may use the dashboard. */
export interface Credentials {
  user: string;
  password: string;
  /** True when no password was configured and this one was made up for this run; the caller logs it once. */
  generated: boolean;
}

/** A user name and password with the role they sign in as. */
export interface Account {
  user: string;
  password: string;
  role: Role;
}

/** Random bytes in a generated password: 18 bytes are 24 base64url characters, 144 bits. */
export const GENERATED_PASSWORD_BYTES = 18;
/** Random bytes in a generated session secret: 32 bytes, the size of the HMAC-SHA256 key. */
export const GENERATED_SECRET_BYTES = 32;

/** Shortest password accepted in production. */
export const MIN_PASSWORD_LENGTH = 12;
/** Shortest session secret accepted in production: 32 characters, about a SHA-256 block's worth of key. */
export const MIN_SESSION_SECRET_LENGTH = 32;

/**
 * Passwords (and secrets) that appear in every default-credential list, every
 * README and every scanner's first guesses. Compared after lowercasing and
 * dropping everything but letters and digits, and also with trailing digits
 * dropped: `Changeme2024!` counts as `changeme`.
 */
export const WELL_KNOWN_PASSWORDS: ReadonlySet<string> = new Set([
  'admin',
  'administrator',
  'password',
  'passw0rd',
  'changeme',
  'changeit',
  'floodgate',
  'bullboard',
  'dashboard',
  'viewer',
  'secret',
  'letmein',
  'welcome',
  'qwerty',
  'qwertyuiop',
  'default',
  'root',
  'toor',
  'guest',
  'test',
  'user',
  'iloveyou',
  'correcthorsebatterystaple',
  '123456',
  '12345678',
  '123456789',
  '1234567890',
  '123456789012',
]);

/**
 * The dashboard's credentials for one account: the configured ones, or, without
 * a password, a random one for this run. The dashboard can retry, delete and
 * obliterate jobs, so it never runs open.
 */
export function resolveCredentials(config: { user: string; password?: string | undefined }): Credentials {
  if (config.password !== undefined) return { user: config.user, password: config.password, generated: false };
  return { user: config.user, password: randomBytes(GENERATED_PASSWORD_BYTES).toString('base64url'), generated: true };
}

/**
 * The key session cookies are signed with: the configured one, or a random one
 * for this run (every session then ends when the process restarts).
 */
export function resolveSessionSecret(secret: string | undefined): { secret: string; generated: boolean } {
  if (secret !== undefined) return { secret, generated: false };
  return { secret: randomBytes(GENERATED_SECRET_BYTES).toString('base64url'), generated: true };
}

/**
 * The account `user` and `password` belong to, or undefined. Every account is
 * compared, user and password both, as SHA-256 digests with `timingSafeEqual`:
 * the digests always have the same length, so neither a secret's content nor
 * its length nor which user exists leaks through response timing.
 */
export function authenticate(accounts: readonly Account[], user: string, password: string): Account | undefined {
  const givenUser = digest(user);
  const givenPassword = digest(password);
  let found: Account | undefined;
  for (const account of accounts) {
    const userMatches = timingSafeEqual(givenUser, digest(account.user));
    const passwordMatches = timingSafeEqual(givenPassword, digest(account.password));
    if (userMatches && passwordMatches && !found) found = account;
  }
  return found;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The settings {@link credentialProblems} judges: the dashboard's environment, as parsed. */
export interface CredentialSettings {
  NODE_ENV?: string | undefined;
  DASHBOARD_USER: string;
  DASHBOARD_PASSWORD?: string | undefined;
  DASHBOARD_VIEWER_USER: string;
  DASHBOARD_VIEWER_PASSWORD?: string | undefined;
  DASHBOARD_SESSION_SECRET?: string | undefined;
}

export interface CredentialProblem {
  /** The environment variable to fix. */
  variable: keyof CredentialSettings;
  /** What is wrong with it, never its value. */
  problem: string;
}

/**
 * Everything wrong with the dashboard's credentials, one entry per variable (empty when fine): the two users must differ,
 * and with NODE_ENV=production a missing, short, default or reused password or secret is refused (a generated one would
 * change at every restart and be known only to a log).
 */
export function credentialProblems(settings: CredentialSettings): CredentialProblem[] {
  const problems: CredentialProblem[] = [];
  if (settings.DASHBOARD_USER === settings.DASHBOARD_VIEWER_USER) {
    problems.push({ variable: 'DASHBOARD_VIEWER_USER', problem: 'must differ from DASHBOARD_USER (one user name, two roles)' });
  }
  if (settings.NODE_ENV !== 'production') return problems;

  const passwords = [
    { variable: 'DASHBOARD_PASSWORD', user: settings.DASHBOARD_USER, userVariable: 'DASHBOARD_USER', value: settings.DASHBOARD_PASSWORD },
    {
      variable: 'DASHBOARD_VIEWER_PASSWORD',
      user: settings.DASHBOARD_VIEWER_USER,
      userVariable: 'DASHBOARD_VIEWER_USER',
      value: settings.DASHBOARD_VIEWER_PASSWORD,
    },
  ] as const;
  for (const { variable, user, userVariable, value } of passwords) {
    const problem = weakness(value, MIN_PASSWORD_LENGTH) ?? (value?.toLowerCase() === user.toLowerCase() ? `must not equal ${userVariable}` : undefined);
    if (problem) problems.push({ variable, problem: `${problem} when NODE_ENV=production` });
  }
  const admin = settings.DASHBOARD_PASSWORD;
  if (admin !== undefined && admin === settings.DASHBOARD_VIEWER_PASSWORD) {
    // A viewer who knows the admin password is an admin.
    problems.push({ variable: 'DASHBOARD_VIEWER_PASSWORD', problem: 'must differ from DASHBOARD_PASSWORD' });
  }

  const secret = settings.DASHBOARD_SESSION_SECRET;
  const secretProblem =
    weakness(secret, MIN_SESSION_SECRET_LENGTH) ??
    (secret !== undefined && (secret === admin || secret === settings.DASHBOARD_VIEWER_PASSWORD) ? 'must not equal a password' : undefined);
  if (secretProblem) problems.push({ variable: 'DASHBOARD_SESSION_SECRET', problem: `${secretProblem} when NODE_ENV=production` });
  return problems;
}

/** Why `value` is too weak to be a password or secret of at least `minLength` characters, or undefined. */
function weakness(value: string | undefined, minLength: number): string | undefined {
  if (value === undefined) return 'is required';
  // Characters as people count them (code points), not UTF-16 units.
  if ([...value].length < minLength) return `must be at least ${minLength} characters`;
  if (isWellKnown(value)) return 'is a well-known default password';
  if (new Set(value).size < 4) return 'must use more than three different characters';
  return undefined;
}

function isWellKnown(value: string): boolean {
  const letters = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  const stem = letters.replace(/\d+$/, '');
  return WELL_KNOWN_PASSWORDS.has(letters) || (stem.length > 0 && WELL_KNOWN_PASSWORDS.has(stem)) || isRepeatOfWellKnown(letters);
}

/** `adminadminadmin`, `passwordpassword`: a well-known word said more than once. */
function isRepeatOfWellKnown(letters: string): boolean {
  for (const word of WELL_KNOWN_PASSWORDS) {
    if (letters.length > word.length && letters.length % word.length === 0 && word.repeat(letters.length / word.length) === letters) return true;
  }
  return false;
}
