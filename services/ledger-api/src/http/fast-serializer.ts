/**
 * fastify's serializer compiler over zod, with a fast path for flat responses (issue #15): an
 * object whose fields are all required strings, finite numbers, safe integers or booleans, each
 * possibly nullable (every write's `position` is), with no checks beyond "integer". A value whose fields all have those types is written as zod would
 * write it (the declared fields in the schema's order, nothing else); any other value, and every
 * other schema, goes through zod, so a response that breaks its schema still fails as before.
 */
import { z } from 'zod';
import { serializerCompiler } from 'fastify-type-provider-zod';

type Compile = typeof serializerCompiler;
type Serialize = ReturnType<Compile>;
type FieldKind = 'string' | 'number' | 'integer' | 'boolean';

/** What zod runs for one check: it pushes an issue onto `payload.issues` when the value fails it. */
type RunCheck = (payload: { value: unknown; issues: unknown[] }) => unknown;

interface ZodCheck {
  readonly _zod: { def: { check?: string; format?: string; pattern?: unknown }; check: RunCheck };
}

interface ZodDef {
  readonly type: string;
  readonly innerType?: unknown;
  readonly format?: unknown;
  readonly coerce?: unknown;
  readonly checks?: readonly ZodCheck[];
}

const defOf = (schema: unknown): ZodDef | undefined =>
  schema instanceof z.ZodType ? (schema._zod.def as unknown as ZodDef) : undefined;

/**
 * A flat field: its kind, whether null is allowed too, and a string's checks (patterns and
 * refinements, such as a position's), each run as zod runs it.
 */
interface FlatField {
  readonly kind: FieldKind;
  readonly nullable: boolean;
  readonly checks: readonly ZodCheck[];
}

/** A string's checks the fast path can run (patterns without state, refinements); undefined if any other. */
function stringChecksOf(def: ZodDef): readonly ZodCheck[] | undefined {
  if (def.type !== 'string' || def.format !== undefined || def.coerce === true) return undefined;
  const checks = def.checks ?? [];
  for (const check of checks) {
    const { check: name, format, pattern } = check._zod.def;
    if (name === 'custom') continue;
    if (name !== 'string_format' || format !== 'regex') return undefined;
    // A global or sticky pattern keeps state between tests: leave those to zod.
    if (!(pattern instanceof RegExp) || pattern.global || pattern.sticky) return undefined;
  }
  return checks;
}

/** A flat field the fast path can write (a kind, possibly `.nullable()`), or undefined. */
function flatFieldOf(schema: unknown): FlatField | undefined {
  const outer = defOf(schema);
  const nullable = outer?.type === 'nullable';
  const inner = nullable ? outer.innerType : schema;
  const kind = fieldKindOf(inner);
  if (kind !== undefined) return { kind, nullable, checks: [] };
  const def = defOf(inner);
  const checks = def === undefined ? undefined : stringChecksOf(def);
  return checks === undefined ? undefined : { kind: 'string', nullable, checks };
}

/** Whether `value` passes every check as zod runs it (an asynchronous refinement counts as failing: zod's path then decides). */
function passes(value: string, checks: readonly ZodCheck[]): boolean {
  for (const check of checks) {
    const payload = { value, issues: [] as unknown[] };
    if (check._zod.check(payload) instanceof Promise || payload.issues.length > 0) return false;
  }
  return true;
}

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
function flatFieldsOf(schema: unknown): { fields: [string, FlatField][]; strict: boolean } | undefined {
  if (!(schema instanceof z.ZodObject)) return undefined;
  const def = schema._zod.def as { catchall?: unknown; checks?: readonly unknown[] };
  const catchall = defOf(def.catchall)?.type;
  if ((catchall !== undefined && catchall !== 'never') || (def.checks?.length ?? 0) > 0) return undefined;
  const fields: [string, FlatField][] = [];
  for (const [name, field] of Object.entries(schema.shape)) {
    const flat = flatFieldOf(field);
    if (flat === undefined) return undefined;
    fields.push([name, flat]);
  }
  return { fields, strict: catchall === 'never' };
}

function fastFlatObject(
  flat: { fields: [string, FlatField][]; strict: boolean },
  slow: Serialize,
): Serialize {
  const names = new Set(flat.fields.map(([name]) => name));
  // What JSON.stringify writes before each field's value: `{"name":` for the first, `,"name":` after.
  const prefixes = flat.fields.map(([name], index) => `${index === 0 ? '{' : ','}${JSON.stringify(name)}:`);
  return (data) => {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return slow(data);
    const input = data as Record<string, unknown>;
    if (flat.strict) {
      for (const key in input) if (Object.hasOwn(input, key) && !names.has(key)) return slow(data);
    }
    // The JSON text JSON.stringify would write for the declared fields in order, built directly
    // instead of from a copied object (issue #15): a string as JSON.stringify quotes it, a finite
    // number and a boolean as their text, null as null.
    let json = '';
    for (let index = 0; index < flat.fields.length; index += 1) {
      const [name, field] = flat.fields[index]!;
      const value = input[name];
      if (!Object.hasOwn(input, name)) return slow(data);
      if (!(value === null ? field.nullable : hasKind(value, field.kind))) return slow(data);
      if (field.checks.length > 0 && value !== null && !passes(value as string, field.checks))
        return slow(data);
      json += prefixes[index]! + (typeof value === 'string' ? JSON.stringify(value) : String(value));
    }
    return flat.fields.length === 0 ? '{}' : `${json}}`;
  };
}

/** `serializerCompiler` from fastify-type-provider-zod, with the fast path above. */
export const fastSerializerCompiler: Compile = (route) => {
  const slow = serializerCompiler(route);
  const flat = flatFieldsOf(route.schema);
  return flat === undefined ? slow : fastFlatObject(flat, slow);
};
