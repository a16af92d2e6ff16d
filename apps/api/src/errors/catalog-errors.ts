import { jobTypes } from '@floodgate/shared/jobs';
import type { z } from 'zod';
import { HttpError } from './http-error';

/** 404 `unknown_job_type`: the path names a type the catalog does not have. */
export function unknownJobType(type: string): HttpError {
  return new HttpError('unknown_job_type', `Unknown job type "${type}". Known types: ${jobTypes.join(', ')}.`, {
    details: { knownTypes: jobTypes },
  });
}

/** 422 `invalid_payload`: the body does not match the envelope or the type's payload schema. */
export function invalidPayload(issues: z.core.$ZodIssue[]): HttpError {
  const { list, summary } = describeIssues(issues, '(body)');
  return new HttpError('invalid_payload', `The request body is invalid: ${summary}`, { details: { issues: list } });
}

/** 400 `invalid_job_id`: the id cannot be a floodgate job id (too long, odd characters). */
export function invalidJobId(): HttpError {
  return new HttpError('invalid_job_id', 'Job ids are 1-128 characters of letters, digits, "_", "-" and ":".');
}

/** 404 `job_not_found`: no such job (never existed, or removed by retention). */
export function jobNotFound(type: string, id: string): HttpError {
  return new HttpError('job_not_found', `No ${type} job with id "${id}" (it may have been removed by retention).`);
}

/** 400 `invalid_query`: a query parameter is out of range or unknown. */
export function invalidQuery(issues: z.core.$ZodIssue[]): HttpError {
  const { list, summary } = describeIssues(issues, '(query)');
  return new HttpError('invalid_query', `The query is invalid: ${summary}`, { details: { issues: list } });
}

/** zod issues as `{path, message, code}` for `details`, and one line for the message. */
function describeIssues(issues: z.core.$ZodIssue[], root: string) {
  const list = issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message, code: issue.code }));
  return { list, summary: list.map((issue) => `${issue.path || root}: ${issue.message}`).join('; ') };
}
