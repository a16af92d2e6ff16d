import { z } from 'zod';
import { API_ERROR_CODES, type ApiErrorCode } from '../errors/api-error-codes';

/** The body of every error answer. `code` is stable (see the registry); `message` is for people. */
export const ErrorBody = z.strictObject({
  error: z.strictObject({
    code: z.enum(Object.keys(API_ERROR_CODES) as [ApiErrorCode, ...ApiErrorCode[]]),
    message: z.string(),
    details: z.unknown().optional().describe('Code-specific: `issues` for validation errors, `backlog` and `cap` for queue_full, ...'),
  }),
});
export type ErrorBody = z.output<typeof ErrorBody>;
