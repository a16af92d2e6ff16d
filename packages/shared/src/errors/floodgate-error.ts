/**
 * Base of every error floodgate raises on purpose. `code` is stable and
 * machine-readable (clients branch on it); `message` is for people.
 */
export class FloodgateError extends Error {
  readonly code: string;
  readonly details: unknown;

  constructor(code: string, message: string, options: { details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }
}
