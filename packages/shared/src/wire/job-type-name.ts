import { z } from 'zod';
import { jobTypes, type JobType } from '../jobs/catalog';

/** A job type's name, one of the catalog's. */
export const JobTypeName = z.enum(jobTypes as [JobType, ...JobType[]]);
