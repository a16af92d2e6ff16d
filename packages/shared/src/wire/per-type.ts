import type { z } from 'zod';
import type { JobType } from '../jobs/catalog';

/**
 * A wire schema that depends on the job type (its payload, its result), with
 * `anyType`: the same shape for a type the catalog does not know (`type` a
 * string, payloads and results unknown), which is what `@floodgate/client`'s
 * generated types are made of.
 */
export type PerTypeSchema<F extends (type: JobType, ...limits: number[]) => z.ZodType = (type: JobType, ...limits: number[]) => z.ZodType> = F & {
  readonly anyType: z.ZodType;
};

/** `of`, with its any-type form attached. */
export function perType<F extends (type: JobType, ...limits: number[]) => z.ZodType>(of: F, anyType: z.ZodType): PerTypeSchema<F> {
  return Object.assign(of, { anyType });
}
