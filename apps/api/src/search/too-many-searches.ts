import { HttpError } from '../errors/http-error';

/**
 * 429 `too_many_searches`: the caller already has `max` searches running in
 * this process. A slot is given back when its search stops reading, which a
 * hang-up or a deadline makes happen within one round trip: a second is enough.
 */
export function tooManySearches(running: number, max: number): HttpError {
  return new HttpError('too_many_searches', `You have ${running} job searches running, the most one API key may have at once here; retry when one has answered.`, {
    details: { running, max },
    headers: { 'Retry-After': '1' },
  });
}
