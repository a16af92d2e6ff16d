/**
 * Cancelling a running job: the API publishes `{type, id}` on this channel,
 * and every worker process that holds the job aborts it with
 * {@link CANCELLED_BY_REQUEST}. A job cancelled so fails for good (it is not
 * retried), unlike one aborted because its worker shut down.
 */
export function cancelChannel(prefix: string): string {
  return `${prefix}:cancel`;
}

/** The abort reason of a job cancelled by a request (`DELETE /v1/jobs/:type/:id`). */
export const CANCELLED_BY_REQUEST = 'cancelled by request';
