import { catalog, jobJsonSchemas, jobTypes } from '@floodgate/shared/jobs';
import { Router } from 'express';
import { methodNotAllowed } from './method-not-allowed';

/** `GET /v1/job-types`: every catalog type with its options and JSON Schemas. */
export function jobTypesRouter(): Router {
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
  const router = Router();
  router.route('/v1/job-types').get((_req, res) => void res.json(body)).all(methodNotAllowed(['GET']));
  return router;
}
