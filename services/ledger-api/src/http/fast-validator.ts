/**
 * fastify's validator compiler over zod, with fast paths for the shapes nearly every request
 * carries (issue #15): an empty strict query (routes that declare none), a strict object whose
 * fields are all strings checked only against patterns (path parameters: ids), and headers whose
 * declared fields are such strings (a write's Idempotency-Key). Such a
 * value is accepted by a check that runs the schema's own patterns; zod would return the same
 * object. Anything else, and every value the fast check does not accept, goes to zod, so each
 * refusal (the 400 problem, its field names and messages) is exactly zod's.
 */
import { z } from 'zod';
import { validatorCompiler } from 'fastify-type-provider-zod';

type Compile = typeof validatorCompiler;
type Validate = ReturnType<Compile>;

/** The patterns of a string schema checked only by patterns (no format, coercion, transform or refinement); else undefined. */
function patternsOf(schema: unknown): RegExp[] | undefined {
  if (!(schema instanceof z.ZodString)) return undefined;
  const def = schema._zod.def as { type: string; format?: unknown; coerce?: unknown; checks?: unknown[] };
  if (def.type !== 'string' || def.format !== undefined || def.coerce === true) return undefined;
  const patterns: RegExp[] = [];
  for (const check of def.checks ?? []) {
    const checkDef = (check as { _zod: { def: { check?: string; format?: string; pattern?: unknown } } })._zod
      .def;
    const pattern = checkDef.pattern;
    if (checkDef.check !== 'string_format' || checkDef.format !== 'regex') return undefined;
    // A global or sticky pattern keeps state between tests: leave those to zod.
    if (!(pattern instanceof RegExp) || pattern.global || pattern.sticky) return undefined;
    patterns.push(pattern);
  }
  return patterns;
}

/**
 * `[field, its patterns]` of an object of pattern-checked strings with no object-level checks,
 * whose unknown keys are refused (`strict`) or stripped (`strip`: not strict, not loose); else
 * undefined.
 */
function stringFieldsOf(schema: unknown, unknownKeys: 'strict' | 'strip'): [string, RegExp[]][] | undefined {
  if (!(schema instanceof z.ZodObject)) return undefined;
  const def = schema._zod.def as { catchall?: { _zod: { def: { type: string } } }; checks?: unknown[] };
  const catchallFits =
    unknownKeys === 'strict' ? def.catchall?._zod.def.type === 'never' : def.catchall === undefined;
  if (!catchallFits || (def.checks?.length ?? 0) > 0) return undefined;
  const fields: [string, RegExp[]][] = [];
  for (const [name, field] of Object.entries(schema.shape)) {
    const patterns = patternsOf(field);
    if (patterns === undefined) return undefined;
    fields.push([name, patterns]);
  }
  return fields;
}

function fastStringObject(fields: [string, RegExp[]][], validate: Validate): Validate {
  const names = new Set(fields.map(([name]) => name));
  return (data) => {
    // An array is an object too, and an empty one has no keys: zod refuses it, so zod answers.
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return validate(data);
    const input = data as Record<string, unknown>;
    let present = 0;
    for (const key in input) {
      if (!Object.hasOwn(input, key)) continue;
      if (!names.has(key)) return validate(data);
      present += 1;
    }
    if (present !== fields.length) return validate(data);
    const value: Record<string, string> = {};
    for (const [name, patterns] of fields) {
      const text = input[name];
      if (typeof text !== 'string') return validate(data);
      for (const pattern of patterns) if (!pattern.test(text)) return validate(data);
      value[name] = text;
    }
    return { value };
  };
}

/**
 * Headers (a write's Idempotency-Key): zod's answer would be the declared headers alone, which
 * fastify merges back over the request's own headers, copying them on every later read of
 * `request.headers` (issue #15). So an accepted value answers without one, and the request keeps
 * its headers as they came; any other goes to zod, whose refusal stands.
 */
function fastHeaders(fields: [string, RegExp[]][], validate: Validate): Validate {
  return (data) => {
    if (typeof data !== 'object' || data === null) return validate(data);
    const input = data as Record<string, unknown>;
    for (const [name, patterns] of fields) {
      const text = input[name];
      if (typeof text !== 'string') return validate(data);
      for (const pattern of patterns) if (!pattern.test(text)) return validate(data);
    }
    return {};
  };
}

/** `validatorCompiler` from fastify-type-provider-zod, with the fast paths above. */
export const fastValidatorCompiler: Compile = (route) => {
  const validate = validatorCompiler(route);
  if (route.httpPart === 'headers') {
    const headers = stringFieldsOf(route.schema, 'strip');
    return headers === undefined ? validate : fastHeaders(headers, validate);
  }
  const fields = stringFieldsOf(route.schema, 'strict');
  return fields === undefined ? validate : fastStringObject(fields, validate);
};
