/**
 * The abort reason of a job cancelled by a request (`DELETE /v1/jobs/:type/:id`).
 * Cancelling a running job: the API publishes `{type, id}` on the cancel
 * channel (`cancelChannel` in redis/keys.ts), and every worker process that
 * holds the job aborts it with this reason. A job cancelled so fails for good
 * (it is not retried), unlike one aborted because its worker shut down.
 */
export const CANCELLED_BY_REQUEST = 'cancelled by request';
