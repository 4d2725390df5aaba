/**
 * The validator's fast paths (src/http/fast-validator.ts) answer exactly as zod does: the same
 * value for what they accept, and zod's own refusal for everything else.
 */
import t from 'tap';
import { z } from 'zod';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { idSchema } from '@timebank/domain';
import { fastValidatorCompiler } from '../src/http/fast-validator.js';

const route = (schema: unknown) =>
  ({ schema, method: 'GET', url: '/x', httpPart: 'params' }) as Parameters<typeof validatorCompiler>[0];

const schemas = {
  params: z.strictObject({ partnerId: idSchema, volunteerId: idSchema }),
  emptyQuery: z.strictObject({}),
  // Not eligible: the fast path must leave these to zod whole.
  loose: z.object({ partnerId: idSchema }),
  refined: z.strictObject({ partnerId: idSchema }).refine((value) => value.partnerId !== 'p0', 'no p0'),
  trimmed: z.strictObject({ partnerId: z.string().trim() }),
  email: z.strictObject({ partnerId: z.email() }),
  bounded: z.strictObject({ partnerId: z.string().max(3) }),
};

const inputs: unknown[] = [
  { partnerId: 'p1', volunteerId: 'v-1' },
  { volunteerId: 'v-1', partnerId: 'p1' },
  { partnerId: 'p1' },
  { partnerId: 'p1', volunteerId: 'v-1', extra: 'x' },
  { partnerId: 'p 1', volunteerId: 'v-1' },
  { partnerId: '', volunteerId: 'v-1' },
  { partnerId: 'p1', volunteerId: 7 },
  { partnerId: 'p1', volunteerId: '😀' },
  { partnerId: 'a'.repeat(101), volunteerId: 'v' },
  { partnerId: ' p0 ' },
  { partnerId: 'p0' },
  { partnerId: 'a@b.cn' },
  { partnerId: 'abcd' },
  Object.assign(Object.create(null) as object, { partnerId: 'p1', volunteerId: 'v1' }),
  {},
  Object.create(null) as object,
  { unknownParam: '1' },
  null,
  'p1',
];

t.test('every schema answers every input as zod does', async (t) => {
  for (const [name, schema] of Object.entries(schemas)) {
    const fast = fastValidatorCompiler(route(schema));
    const zod = validatorCompiler(route(schema));
    for (const input of inputs) {
      t.same(fast(input), zod(input), `${name}: ${JSON.stringify(input)}`);
    }
  }
});
