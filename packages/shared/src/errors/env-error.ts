import { FloodgateError } from './floodgate-error';

/** The environment failed validation; the message lists every bad variable. */
export class EnvError extends FloodgateError {
  constructor(message: string, issues: unknown) {
    super('invalid_env', message, { details: issues });
  }
}
