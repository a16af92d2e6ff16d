import { catalog, jobJsonSchemas, jobTypes } from '@floodgate/shared/jobs';
import type { HandlersOf } from './route-handlers';

/** `GET /v1/job-types`: every catalog type with its options and JSON Schemas. */
export function jobTypesHandlers(): HandlersOf<'listJobTypes'> {
  // The catalog is fixed at build time: compute the answer once.
  const body = {
    types: jobTypes.map((type) => {
      const { description, concurrency, cpuBound, timeoutMs, attempts, backoff, retention } = catalog[type];
      const schemas = jobJsonSchemas(catalog[type]);
      return {
        type,
        description,
        concurrency,
        cpuBound,
        timeoutMs,
        attempts,
        backoff,
        retention,
        payloadSchema: schemas.payload,
        resultSchema: schemas.result,
      };
    }),
  };
  return { listJobTypes: () => ({ status: 200, body }) };
}
