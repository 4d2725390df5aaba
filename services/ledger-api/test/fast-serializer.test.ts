/**
 * The serializer's fast path (src/http/fast-serializer.ts) writes exactly what zod's serializer
 * writes for what it accepts, and leaves every other value to zod, which refuses it as before.
 */
import t from 'tap';
import { z } from 'zod';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { fastSerializerCompiler } from '../src/http/fast-serializer.js';
import { positionSchema } from '../src/http/positions.js';

const route = (schema: unknown) =>
  ({ schema, method: 'GET', url: '/x' }) as Parameters<typeof serializerCompiler>[0];

const schemas = {
  points: z.object({ volunteerId: z.string(), redeemableCentipoints: z.number().int() }),
  strict: z.strictObject({ volunteerId: z.string(), redeemableCentipoints: z.int() }),
  mixed: z.object({ volunteerId: z.string(), share: z.number(), active: z.boolean() }),
  // Not eligible: the fast path must leave these to zod whole.
  bounded: z.object({ volunteerId: z.string(), redeemableCentipoints: z.int().min(0) }),
  optional: z.object({ volunteerId: z.string().optional(), redeemableCentipoints: z.int() }),
  formatted: z.object({ volunteerId: z.email(), redeemableCentipoints: z.int() }),
  loose: z.looseObject({ volunteerId: z.string(), redeemableCentipoints: z.int() }),
  // A write's answer: nullable fields, and a string with a pattern and a refinement (the position).
  written: z.object({
    volunteerId: z.string(),
    redeemableCentipoints: z.int(),
    position: positionSchema.nullable(),
  }),
  nullables: z.object({ volunteerId: z.string().nullable(), redeemableCentipoints: z.int().nullable() }),
  patterned: z.object({ volunteerId: z.string().regex(/^v\d+$/), redeemableCentipoints: z.int() }),
  // Not eligible: a stateful pattern, an optional-and-nullable field.
  globalPattern: z.object({ volunteerId: z.string().regex(/^v\d+$/g), redeemableCentipoints: z.int() }),
  nullish: z.object({ volunteerId: z.string().nullish(), redeemableCentipoints: z.int() }),
};

const inputs: unknown[] = [
  { volunteerId: 'v1', redeemableCentipoints: 300 },
  { redeemableCentipoints: 300, volunteerId: 'v1' },
  { volunteerId: 'v1', redeemableCentipoints: 300, extra: 'leak?' },
  { volunteerId: 'v1', redeemableCentipoints: -0 },
  { volunteerId: 'v1', redeemableCentipoints: 1.5 },
  { volunteerId: 'v1', redeemableCentipoints: Number.NaN },
  { volunteerId: 'v1', redeemableCentipoints: Number.POSITIVE_INFINITY },
  { volunteerId: 'v1', redeemableCentipoints: 2 ** 53 },
  { volunteerId: 'v1', redeemableCentipoints: -5 },
  { volunteerId: 'v1', redeemableCentipoints: '300' },
  { volunteerId: 7, redeemableCentipoints: 300 },
  { volunteerId: 'a@b.cn', redeemableCentipoints: 1 },
  { volunteerId: 'v1' },
  { volunteerId: 'v1', share: 0.25, active: true },
  { volunteerId: 'v1', share: 0.25, active: 'yes' },
  { volunteerId: 'v1', redeemableCentipoints: undefined },
  Object.assign(Object.create(null) as object, { volunteerId: 'v1', redeemableCentipoints: 3 }),
  Object.assign(Object.create({ redeemableCentipoints: 4 }) as object, { volunteerId: 'v1' }),
  { volunteerId: 'v1', redeemableCentipoints: 3, position: '42' },
  { volunteerId: 'v1', redeemableCentipoints: 3, position: null },
  { volunteerId: 'v1', redeemableCentipoints: 3, position: '9223372036854775807' },
  { volunteerId: 'v1', redeemableCentipoints: 3, position: '9223372036854775808' },
  { volunteerId: 'v1', redeemableCentipoints: 3, position: '-1' },
  { volunteerId: 'v1', redeemableCentipoints: 3, position: 42 },
  { volunteerId: 'v1', redeemableCentipoints: 3, position: undefined },
  { volunteerId: 'v1', redeemableCentipoints: 3 },
  { volunteerId: null, redeemableCentipoints: null },
  { volunteerId: 'x1', redeemableCentipoints: 3 },
  {},
  null,
  [],
  'v1',
];

/** The string written, or the error's name and message when the serializer throws. */
function outcome(serialize: (data: unknown) => string, input: unknown): unknown {
  try {
    return serialize(input);
  } catch (error) {
    return { threw: (error as Error).name, message: (error as Error).message };
  }
}

t.test('every schema writes every value as zod does', async (t) => {
  for (const [name, schema] of Object.entries(schemas)) {
    const fast = fastSerializerCompiler(route(schema));
    const zod = serializerCompiler(route(schema));
    for (const input of inputs) {
      t.same(outcome(fast, input), outcome(zod, input), `${name}: ${JSON.stringify(input)}`);
    }
  }
});
