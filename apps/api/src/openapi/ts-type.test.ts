import { routes, type RouteSpec } from '@floodgate/shared/wire';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { clientWireTypes } from './client-types';
import { schemaOf } from './json-schema';
import { identityOf, tsBodyOf, tsTypeOf } from './ts-type';

const ts = (schema: z.ZodType, names: ReadonlyMap<string, string> = new Map()) => tsTypeOf(schemaOf(schema, 'output'), names);

describe('TypeScript from the wire schemas', () => {
  it('writes scalars, literals, enums, nullables and arrays as TypeScript does', () => {
    expect(ts(z.string())).toBe('string');
    expect(ts(z.number().int())).toBe('number');
    expect(ts(z.literal(true))).toBe('true');
    expect(ts(z.enum(['a', "it's"]))).toBe("'a' | 'it\\'s'");
    expect(ts(z.string().nullable())).toBe('string | null');
    expect(ts(z.array(z.string()))).toBe('string[]');
    expect(ts(z.array(z.union([z.string(), z.number()])))).toBe('Array<string | number>');
    expect(ts(z.unknown())).toBe('unknown');
  });

  it('writes objects with optional fields, their descriptions as TSDoc, and records', () => {
    const shape = z.strictObject({ id: z.string(), 'odd-name': z.number().optional().describe('Said once, */ kept safe.') });
    expect(ts(shape)).toBe("{\n  id: string;\n  /** Said once, *\\/ kept safe. */\n  'odd-name'?: number;\n}");
    expect(ts(z.record(z.string(), z.number()))).toBe('Record<string, number>');
    expect(ts(z.partialRecord(z.enum(['x', 'y']), z.number()))).toBe("Partial<Record<'x' | 'y', number>>");
  });

  it('writes a part equal to a named shape as its name, even with another description or default', () => {
    const Links = z.strictObject({ self: z.string() });
    const names = new Map([[identityOf(schemaOf(Links, 'output')), 'Links']]);
    expect(ts(z.strictObject({ links: Links.describe('where to read it') }), names)).toBe('{\n  /** where to read it */\n  links: Links;\n}');
    expect(tsBodyOf(schemaOf(Links, 'output'), names)).toBe('{\n  self: string;\n}');
  });

  it('refuses a $ref rather than write a type that means nothing', () => {
    expect(() => tsTypeOf({ $ref: '#/$defs/x' }, new Map())).toThrow(/\$ref/);
  });

  it("gives the client every route's JSON answers, queries and bodies, with no job type of this repository in them", () => {
    const source = clientWireTypes();
    const block = (name: string) => source.slice(source.indexOf(`export interface ${name} {`)).split('\n}\n')[0] ?? '';
    for (const [name, route] of Object.entries(routes) as Array<[string, RouteSpec]>) {
      const json = Object.values(route.responses).some((response) => response.body);
      expect(block('Answers').includes(`\n  ${name}: {`), `${name} in Answers`).toBe(json);
      expect(block('Queries').includes(`\n  ${name}: `), `${name} in Queries`).toBe(route.query !== undefined);
      expect(block('Bodies').includes(`\n  ${name}: `), `${name} in Bodies`).toBe(route.body !== undefined);
    }
    expect(source).not.toMatch(/'(sentiment|compute|page-extract)'/);
    expect(source).toMatch(/export interface JobView \{[^}]*\n {2}type: string;/);
  });
});
