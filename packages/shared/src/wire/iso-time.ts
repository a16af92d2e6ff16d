import { z } from 'zod';

/**
 * An ISO 8601 time the API writes (`Date.toISOString()`), or null. Declared
 * as a `date-time` string rather than with zod's datetime check, whose long
 * pattern would be copied into every place of the OpenAPI document that has one.
 */
export const IsoTimeOrNull = z.string().meta({ format: 'date-time' }).nullable();
