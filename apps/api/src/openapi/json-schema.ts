import { z } from 'zod';

/** A JSON Schema (2020-12, which OpenAPI 3.1 speaks natively) as an object. */
export type JsonSchema = Record<string, unknown>;

/**
 * The JSON Schema of what a client sends (`input`) or receives (`output`) for
 * a zod schema. `$schema` is dropped: inside an OpenAPI 3.1 document the
 * dialect is the document's.
 */
export function schemaOf(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** OpenAPI query parameters, one per property of a zod object schema. */
export function queryParameters(schema: z.ZodObject): Array<Record<string, unknown>> {
  const json = schemaOf(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: property,
  }));
}
