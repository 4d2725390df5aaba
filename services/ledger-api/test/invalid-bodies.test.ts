/**
 * Bad input on every write route — malformed JSON, wrong types, missing and unknown fields, an
 * oversized body, a missing Idempotency-Key — is a 4xx problem+json, and the store's last
 * position does not move. The routes come from the live route table and their required fields
 * from the generated OpenAPI document, so a new write route is covered without editing this test.
 */
import t from 'tap';
import { problemOf } from './harness.js';
import { startWorld } from './fixtures.js';

const PARAM_VALUES: Record<string, string> = {
  volunteerId: 'vunknown',
  recordId: 'r1',
  partnerId: 'p1',
  holdId: 'h1',
  beneficiaryId: 'b-1',
  keyId: '00000000-0000-4000-8000-000000000000',
  // A points-policy version: a number, so that the body (not the path) is what is refused.
  version: '1',
};

interface BodySchema {
  required?: string[];
  properties?: Record<string, { type?: string }>;
}

t.test('every write route rejects bad bodies with a coded problem and appends nothing', async (t) => {
  const bodyLimitBytes = 4096;
  const w = await startWorld(t, {
    BODY_LIMIT_BYTES: String(bodyLimitBytes),
    RATE_LIMIT_REQUESTS_MAX: '1000000',
  });
  const spec = (await w.app.inject({ method: 'GET', url: '/docs/json' })).json<{
    paths: Record<
      string,
      Record<string, { requestBody?: { content: Record<string, { schema: BodySchema }> } }>
    >;
  }>();
  const writes = w.routes.filter((route) => route.method === 'POST' && route.url !== '/v1/volunteers/lookup');
  t.ok(writes.length >= 20, `${writes.length} write routes found`);
  const head = await w.store.headPosition();
  let counter = 0;

  for (const route of writes) {
    const url = route.url.replace(/:(\w+)/g, (_, name: string) => PARAM_VALUES[name] ?? 'x1');
    const openApiPath = route.url.replace(/:(\w+)/g, '{$1}');
    const schema = spec.paths[openApiPath]?.post?.requestBody?.content['application/json']?.schema ?? {};
    const send = (payload: string, headers: Record<string, string> = {}) => {
      counter += 1;
      return w.app.inject({
        method: 'POST',
        url,
        headers: { ...w.headers(w.admin, `bad-${counter}`), 'content-type': 'application/json', ...headers },
        payload,
      });
    };
    await t.test(route.url, async (t) => {
      const malformed = await send('{"oops": ');
      t.equal(malformed.statusCode, 400, 'malformed JSON');
      t.equal(problemOf(t, malformed).code, 'MALFORMED_JSON');

      const unknown = await send(JSON.stringify({ surpriseField: true }));
      t.equal(unknown.statusCode, 400, 'unknown field');
      const unknownProblem = problemOf(t, unknown);
      t.equal(unknownProblem.code, 'VALIDATION_FAILED');
      t.ok(
        unknownProblem.errors?.some((issue) => issue.field === 'body.surpriseField'),
        'the unknown field is named',
      );

      const notAnObject = await send(JSON.stringify([1, 2, 3]));
      t.equal(notAnObject.statusCode, 400, 'an array instead of an object');
      t.equal(problemOf(t, notAnObject).code, 'VALIDATION_FAILED');

      // An empty array has no keys, so a body schema without fields (star applications, mandate
      // revocations, allocations) once took it for {} and ran the command.
      const emptyArray = await send('[]');
      t.equal(emptyArray.statusCode, 400, 'an empty array instead of an object');
      t.equal(problemOf(t, emptyArray).code, 'VALIDATION_FAILED');

      const required = schema.required ?? [];
      if (required.length > 0) {
        const missing = await send('{}');
        t.equal(missing.statusCode, 400, 'missing fields');
        const fields = problemOf(t, missing).errors?.map((issue) => issue.field) ?? [];
        for (const name of required) t.ok(fields.includes(`body.${name}`), `missing body.${name} is listed`);

        const first = required[0]!;
        const wrongValue = schema.properties?.[first]?.type === 'string' ? 12345 : 'not-the-right-type';
        const wrongType = await send(JSON.stringify({ [first]: wrongValue }));
        t.equal(wrongType.statusCode, 400, `wrong type for ${first}`);
        t.ok(
          problemOf(t, wrongType).errors?.some((issue) => issue.field === `body.${first}`),
          `body.${first} is listed`,
        );
      }

      const oversized = await send(JSON.stringify({ padding: 'x'.repeat(bodyLimitBytes) }));
      t.equal(oversized.statusCode, 413, 'oversized body');
      t.equal(problemOf(t, oversized).code, 'PAYLOAD_TOO_LARGE');

      const noKey = await w.app.inject({
        method: 'POST',
        url,
        headers: { authorization: w.admin },
        payload: {},
      });
      t.equal(noKey.statusCode, 400, 'no Idempotency-Key');
      t.equal(problemOf(t, noKey).code, 'VALIDATION_FAILED');
    });
  }
  t.equal(await w.store.headPosition(), head, 'the store did not move');
});
