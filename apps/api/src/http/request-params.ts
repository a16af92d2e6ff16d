import { isJobType, type JobType } from '@floodgate/shared/jobs';
import type { Request } from 'express';
import { HttpError, invalidJobId, unknownJobType } from '../errors';
import type { Principal } from '../auth/authenticator';
import { rateLimitClient } from '../auth/require-auth';
import type { Caller } from '../enqueue/enqueue-pipeline';

const JOB_ID = /^[A-Za-z0-9_:-]{1,128}$/;

/** The `:type` of the path, or 404 `unknown_job_type`. */
export function jobTypeOf(req: Request): JobType {
  const type = String(req.params.type);
  if (!isJobType(type)) throw unknownJobType(type);
  return type;
}

/** The `:id` of the path, or 400 `invalid_job_id`. */
export function jobIdOf(req: Request): string {
  const id = String(req.params.id);
  if (!JOB_ID.test(id)) throw invalidJobId();
  return id;
}

/** The caller of an enqueue: whom rate limits count against, whose idempotency keys these are, and its weight as a tenant. */
export function callerOf(principal: Principal | undefined, address: string | undefined): Caller {
  return { client: rateLimitClient(principal, address), owner: principal?.id ?? 'anonymous', weight: principal?.weight ?? 1 };
}

/** {@link callerOf} an express request (its principal was set by requireAuth). */
export function callerOfRequest(req: Request): Caller {
  return callerOf(req.res?.locals.principal as Principal | undefined, req.ip ?? req.socket.remoteAddress);
}

/** The media types read as JSON (the body parser and the 415 check share them). */
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

/** 415 unless the body was sent as JSON. */
export function requireJson(req: Request): void {
  if (!req.is(JSON_MEDIA_TYPES)) {
    throw new HttpError('unsupported_media_type', 'Send the job as JSON with "Content-Type: application/json".');
  }
}
