import { z } from 'zod';
import type { JobDefinition } from './define-job';

/** The JSON Schema (draft 2020-12) of a job type's payload and result, as published by the API. */
export function jobJsonSchemas(definition: JobDefinition): { payload: Record<string, unknown>; result: Record<string, unknown> } {
  return {
    payload: z.toJSONSchema(definition.payload, { io: 'input', unrepresentable: 'any' }),
    result: z.toJSONSchema(definition.result, { io: 'output', unrepresentable: 'any' }),
  };
}
