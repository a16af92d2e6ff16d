import type { JsonSchema } from './json-schema';

/**
 * TypeScript for a JSON Schema, as zod's `toJSONSchema` writes them: objects,
 * arrays, unions, enums, constants, records and scalars (a `$ref` is refused:
 * the wire schemas have none). A subtree equal to one of `names` (compared
 * without its own description) is written as that name.
 */
export function tsTypeOf(schema: JsonSchema, names: ReadonlyMap<string, string>, indent = ''): string {
  return names.get(identityOf(schema)) ?? tsBodyOf(schema, names, indent);
}

/** The key a schema is named by: its JSON without its top-level description and default, which a reuse may change. */
export function identityOf(schema: JsonSchema): string {
  const { description: _said, default: _unless, ...shape } = schema;
  return JSON.stringify(shape);
}

/** {@link tsTypeOf} without looking `schema` itself up: for writing a named type's own body. */
export function tsBodyOf(schema: JsonSchema, names: ReadonlyMap<string, string>, indent = ''): string {
  const of = (part: unknown) => tsTypeOf(part as JsonSchema, names, indent);
  if ('$ref' in schema) throw new Error(`a $ref (${String(schema.$ref)}) has no TypeScript here: inline it`);
  const members = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (members) return union(members.map(of));
  if ('const' in schema) return literal(schema.const);
  if (Array.isArray(schema.enum)) return union(schema.enum.map(literal));
  if (Array.isArray(schema.type)) return union(schema.type.map((type: unknown) => tsBodyOf({ ...schema, type }, names, indent)));
  switch (schema.type) {
    case 'null':
      return 'null';
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const item = schema.items === undefined ? 'unknown' : of(schema.items);
      return /^[\w.]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
    }
    case 'object':
      return objectType(schema, names, indent);
    default:
      return 'unknown';
  }
}

function objectType(schema: JsonSchema, names: ReadonlyMap<string, string>, indent: string): string {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  const extra = schema.additionalProperties;
  if (!properties || Object.keys(properties).length === 0) {
    if (extra === false) return 'Record<string, never>';
    const value = typeof extra === 'object' && extra !== null ? tsTypeOf(extra as JsonSchema, names, indent) : 'unknown';
    const keys = (schema.propertyNames as JsonSchema | undefined)?.enum;
    // zod writes a partial record of an enum as its key names plus any value; every key stays optional.
    return Array.isArray(keys) ? `Partial<Record<${union(keys.map(literal))}, ${value}>>` : `Record<string, ${value}>`;
  }
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const inner = `${indent}  `;
  const lines = Object.entries(properties).flatMap(([name, property]) => [
    ...docLines(property.description, inner),
    `${inner}${propertyName(name)}${required.has(name) ? '' : '?'}: ${tsTypeOf(property, names, inner)};`,
  ]);
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** A TSDoc comment of `text`, or nothing. */
export function docLines(text: unknown, indent: string): string[] {
  if (typeof text !== 'string' || text === '') return [];
  return [`${indent}/** ${text.replaceAll('*/', '*\\/').replace(/\s*\n\s*/g, ' ')} */`];
}

function union(types: string[]): string {
  return [...new Set(types)].join(' | ');
}

function literal(value: unknown): string {
  return typeof value === 'string' ? `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : JSON.stringify(value);
}

function propertyName(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : literal(name);
}
