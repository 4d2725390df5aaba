/**
 * fastify's serializer compiler over zod, with a fast path for flat responses (issue #15): an
 * object whose fields are all required strings, finite numbers, safe integers or booleans, with
 * no checks beyond "integer". A value whose fields all have those types is written as zod would
 * write it (the declared fields in the schema's order, nothing else); any other value, and every
 * other schema, goes through zod, so a response that breaks its schema still fails as before.
 */
import { z } from 'zod';
import { serializerCompiler } from 'fastify-type-provider-zod';

type Compile = typeof serializerCompiler;
type Serialize = ReturnType<Compile>;
type FieldKind = 'string' | 'number' | 'integer' | 'boolean';

interface ZodDef {
  readonly type: string;
  readonly format?: unknown;
  readonly coerce?: unknown;
  readonly checks?: readonly { _zod: { def: { check?: string; format?: string } } }[];
}

const defOf = (schema: unknown): ZodDef | undefined =>
  schema instanceof z.ZodType ? schema._zod.def : undefined;

/** The kind of a flat field the fast path can write, or undefined. */
function fieldKindOf(schema: unknown): FieldKind | undefined {
  const def = defOf(schema);
  if (def === undefined || def.coerce === true) return undefined;
  const checks = def.checks ?? [];
  if (def.type === 'string' || def.type === 'boolean') {
    return def.format === undefined && checks.length === 0 ? def.type : undefined;
  }
  if (def.type !== 'number') return undefined;
  const integer =
    def.format === 'safeint' ||
    (checks.length === 1 &&
      checks[0]!._zod.def.check === 'number_format' &&
      checks[0]!._zod.def.format === 'safeint');
  if (integer) return def.format === undefined || checks.length === 0 ? 'integer' : undefined;
  return def.format === undefined && checks.length === 0 ? 'number' : undefined;
}

function hasKind(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
  }
}

/** The fields of a flat object schema (stripping or strict, no object-level checks), or undefined. */
function flatFieldsOf(schema: unknown): { fields: [string, FieldKind][]; strict: boolean } | undefined {
  if (!(schema instanceof z.ZodObject)) return undefined;
  const def = schema._zod.def as { catchall?: unknown; checks?: readonly unknown[] };
  const catchall = defOf(def.catchall)?.type;
  if ((catchall !== undefined && catchall !== 'never') || (def.checks?.length ?? 0) > 0) return undefined;
  const fields: [string, FieldKind][] = [];
  for (const [name, field] of Object.entries(schema.shape)) {
    const kind = fieldKindOf(field);
    if (kind === undefined) return undefined;
    fields.push([name, kind]);
  }
  return { fields, strict: catchall === 'never' };
}

function fastFlatObject(
  flat: { fields: [string, FieldKind][]; strict: boolean },
  slow: Serialize,
): Serialize {
  const names = new Set(flat.fields.map(([name]) => name));
  return (data) => {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return slow(data);
    const input = data as Record<string, unknown>;
    if (flat.strict) {
      for (const key in input) if (Object.hasOwn(input, key) && !names.has(key)) return slow(data);
    }
    const output: Record<string, unknown> = {};
    for (const [name, kind] of flat.fields) {
      const value = input[name];
      if (!Object.hasOwn(input, name) || !hasKind(value, kind)) return slow(data);
      output[name] = value;
    }
    return JSON.stringify(output);
  };
}

/** `serializerCompiler` from fastify-type-provider-zod, with the fast path above. */
export const fastSerializerCompiler: Compile = (route) => {
  const slow = serializerCompiler(route);
  const flat = flatFieldsOf(route.schema);
  return flat === undefined ? slow : fastFlatObject(flat, slow);
};
