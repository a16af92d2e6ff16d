import { z } from 'zod';
import { optionalStringEnv } from '../env/coercers';
import { jobTypes } from './catalog';

/**
 * An environment variable of per-type numbers, `type=N` pairs separated by
 * commas (`page-extract=500,compute=1`), overriding the catalog's value for the
 * types it names. Unknown types and out-of-range numbers are errors, listed
 * with the rest of the environment's.
 */
export function perTypeNumbersEnv(bounds: { min: number; max: number }) {
  return optionalStringEnv()
    .transform((value, ctx) => {
      const result: Record<string, number> = {};
      for (const pair of (value ?? '').split(',').filter((p) => p.trim() !== '')) {
        const [type = '', count = ''] = pair.split('=').map((part) => part.trim());
        const n = Number(count);
        if (!(jobTypes as string[]).includes(type)) {
          ctx.addIssue({ code: 'custom', message: `unknown job type "${type}" (known: ${jobTypes.join(', ')})` });
        } else if (count === '' || !Number.isInteger(n) || n < bounds.min || n > bounds.max) {
          ctx.addIssue({ code: 'custom', message: `${type} must be a whole number from ${bounds.min} to ${bounds.max}, got "${count}"` });
        } else {
          result[type] = n;
        }
      }
      return result;
    })
    .pipe(z.record(z.string(), z.number()));
}
