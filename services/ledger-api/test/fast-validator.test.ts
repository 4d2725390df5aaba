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
  // A JSON array is an object to typeof and has no own keys but its indexes: an empty one passed
  // the fast path as {} (POST …/star-applications with the body [] filed an application).
  [],
  ['p1'],
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

t.test(
  "headers: what the fast path accepts zod accepts with the same fields; the rest is zod's answer",
  async (t) => {
    const headers = z.object({
      'idempotency-key': z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/),
    });
    const compile = (schema: unknown) =>
      ({ schema, method: 'POST', url: '/x', httpPart: 'headers' }) as Parameters<typeof validatorCompiler>[0];
    const fast = fastValidatorCompiler(compile(headers));
    const zod = validatorCompiler(compile(headers));
    const given: unknown[] = [
      { 'idempotency-key': 'k-1', authorization: 'Bearer x', 'content-type': 'application/json' },
      { 'idempotency-key': 'k 1', authorization: 'Bearer x' },
      { 'idempotency-key': 'a'.repeat(101) },
      { 'idempotency-key': '' },
      { authorization: 'Bearer x' },
      { 'idempotency-key': ['k1', 'k2'] },
      Object.assign(Object.create(null) as object, { 'idempotency-key': 'k1' }),
      null,
    ];
    let accepted = 0;
    for (const input of given) {
      const answer = fast(input) as { value?: unknown; error?: unknown };
      const expected = zod(input) as { value?: Record<string, unknown>; error?: unknown };
      if (expected.error !== undefined) {
        t.same(answer, expected, `refused as zod refuses: ${JSON.stringify(input)}`);
        continue;
      }
      accepted += 1;
      // No replacement: the request keeps its own headers, which hold every field zod would return.
      t.same(answer, {}, `accepted without a replacement: ${JSON.stringify(input)}`);
      for (const [name, value] of Object.entries(expected.value ?? {})) {
        t.equal((input as Record<string, unknown>)[name], value, `${name} as zod returns it`);
      }
    }
    t.equal(accepted, 2, 'the two well-formed keys are accepted');

    // Strict, loose or refined header schemas are zod's alone.
    for (const schema of [headers.strict(), headers.loose(), headers.refine(() => true)]) {
      const input = { 'idempotency-key': 'k1', other: 'x' };
      t.same(fastValidatorCompiler(compile(schema))(input), validatorCompiler(compile(schema))(input));
    }
  },
);
