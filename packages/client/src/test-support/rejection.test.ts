import { isFloodgateApiError, type FloodgateApiError } from '../index.js';

/** What `promise` rejected with; a failure when it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail, and it succeeded');
}

/** The FloodgateApiError `promise` rejected with, checked to carry `code`. */
export async function apiError(promise: Promise<unknown>, code: string): Promise<FloodgateApiError> {
  const err = await rejection(promise);
  if (!isFloodgateApiError(err, code)) throw new Error(`expected a FloodgateApiError with code ${code}`, { cause: err });
  return err;
}
