export interface LoginThrottleOptions {
  /** Failed logins from one address before it has to wait. @defaultValue 5 */
  freeAttempts?: number;
  /** The first wait; each further failure doubles it. @defaultValue 1000 */
  baseDelayMs?: number;
  /** The longest wait. @defaultValue 900000 (15 min) */
  maxDelayMs?: number;
  /** An address's failures are forgotten this long after its last one. @defaultValue 900000 (15 min) */
  forgetAfterMs?: number;
  /** Addresses tracked at most; past it the oldest are forgotten, so a flood of addresses cannot eat memory. @defaultValue 10000 */
  maxEntries?: number;
}

interface Entry {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
}

/**
 * Exponential back-off on failed logins per client address, in memory (one dashboard process): after `freeAttempts`,
 * 1 s, 2 s, 4 s … up to 15 min. A success does not clear the count, or the viewer could reset their budget between guesses
 * at the admin's password. Failures are forgotten `forgetAfterMs` after the last one.
 */
export class LoginThrottle {
  readonly #entries = new Map<string, Entry>();
  readonly #freeAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #forgetAfterMs: number;
  readonly #maxEntries: number;

  constructor(options: LoginThrottleOptions = {}) {
    this.#freeAttempts = options.freeAttempts ?? 5;
    this.#baseDelayMs = options.baseDelayMs ?? 1_000;
    this.#maxDelayMs = options.maxDelayMs ?? 15 * 60_000;
    this.#forgetAfterMs = options.forgetAfterMs ?? 15 * 60_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  /** How long `key` must still wait before a login attempt is checked; 0 when it may try now. */
  retryAfterMs(key: string, now = Date.now()): number {
    const entry = this.#live(key, now);
    return entry ? Math.max(0, entry.blockedUntil - now) : 0;
  }

  /** Records a failed attempt from `key`; returns how long it must now wait (0 while it has free attempts left). */
  fail(key: string, now = Date.now()): number {
    const entry = this.#live(key, now) ?? { failures: 0, lastFailureAt: now, blockedUntil: 0 };
    entry.failures += 1;
    entry.lastFailureAt = now;
    const over = entry.failures - this.#freeAttempts;
    if (over >= 0) entry.blockedUntil = now + Math.min(this.#baseDelayMs * 2 ** Math.min(over, 30), this.#maxDelayMs);
    // Re-inserted, so the map stays ordered by last failure and the oldest is evicted first.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    return Math.max(0, entry.blockedUntil - now);
  }

  /** Failures currently counted against `key`. */
  failures(key: string, now = Date.now()): number {
    return this.#live(key, now)?.failures ?? 0;
  }

  #live(key: string, now: number): Entry | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.blockedUntil <= now && now - entry.lastFailureAt >= this.#forgetAfterMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
