/**
 * The HTTP platform every route shares: authentication, problem details, idempotency, limits,
 * OpenAPI, operations routes and log redaction. Exercised through the API-key routes, which need
 * no domain.
 */
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { problemOf, startHarness } from './harness.js';

t.test('health, readiness and metrics answer without a key', async (t) => {
  const h = await startHarness(t);
  const health = await h.app.inject({ method: 'GET', url: '/healthz' });
  t.equal(health.statusCode, 200);
  t.same(health.json(), { status: 'ok' });
  const ready = await h.app.inject({ method: 'GET', url: '/readyz' });
  t.equal(ready.statusCode, 200);
  t.match(ready.json(), { status: 'ready', engine: 'sqlite', headPosition: /^\d+$/ });
  const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
  t.equal(metrics.statusCode, 200);
  t.match(metrics.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  t.match(
    metrics.body,
    /http_request_duration_seconds_bucket\{method="GET",route="\/readyz",status="2xx",le="0\.0025"\} \d+/,
  );
  t.match(metrics.body, /# TYPE ledger_store_appends_total counter/);
});

t.test('the OpenAPI document lists the routes, and /docs serves the UI', async (t) => {
  const h = await startHarness(t);
  const spec = await h.app.inject({ method: 'GET', url: '/docs/json' });
  t.equal(spec.statusCode, 200);
  const document = spec.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
  t.match(document.openapi, /^3\./);
  t.ok(document.paths['/v1/admin/api-keys']?.post, 'issue key is documented');
  t.ok(document.paths['/v1/audit/events']?.get, 'audit feed is documented');
  const ui = await h.app.inject({ method: 'GET', url: '/docs' });
  t.ok(ui.statusCode === 200 || ui.statusCode === 302, `UI answers (${ui.statusCode})`);
});

t.test('no key, an unknown key, or a key of the wrong role are refused before anything runs', async (t) => {
  const h = await startHarness(t);
  const desk = await h.keyFor('desk', { kind: 'community', id: 'c1' });
  const none = await h.app.inject({ method: 'GET', url: '/v1/admin/api-keys' });
  t.equal(none.statusCode, 401);
  t.equal(problemOf(t, none).code, 'UNAUTHENTICATED');
  const unknown = await h.app.inject({
    method: 'GET',
    url: '/v1/admin/api-keys',
    headers: { authorization: 'Bearer tbk_nope' },
  });
  t.equal(problemOf(t, unknown).code, 'UNAUTHENTICATED');
  const wrongRole = await h.app.inject({
    method: 'GET',
    url: '/v1/admin/api-keys',
    headers: { authorization: desk },
  });
  t.equal(wrongRole.statusCode, 403);
  t.equal(problemOf(t, wrongRole).code, 'FORBIDDEN');
  const missing = await h.app.inject({
    method: 'GET',
    url: '/v1/nothing-here',
    headers: { authorization: desk },
  });
  t.equal(missing.statusCode, 404);
  t.equal(problemOf(t, missing).code, 'NOT_FOUND');
});

t.test('an administrator issues, lists and revokes keys; a revoked key stops working', async (t) => {
  const h = await startHarness(t);
  const admin = await h.keyFor('admin', { kind: 'all' });
  // A partner key is bound to a registered partner.
  const partnerRegistered = await h.app.inject({
    method: 'POST',
    url: '/v1/admin/partners',
    headers: h.headers(admin, 'register-p1'),
    payload: { partnerId: 'p1', name: 'Canteen', community: 'c1' },
  });
  t.equal(partnerRegistered.statusCode, 201);
  // A partner id names its Kafka topic: no '.' (Kafka takes it for '_') and no ':' (refused there).
  for (const partnerId of ['shop.1', 'acme:east']) {
    const refused = await h.app.inject({
      method: 'POST',
      url: '/v1/admin/partners',
      headers: h.headers(admin, `register-${partnerId}`),
      payload: { partnerId, name: 'Shop', community: 'c1' },
    });
    t.equal(refused.statusCode, 400, partnerId);
    t.match(refused.json(), {
      code: 'VALIDATION_FAILED',
      errors: [
        { field: 'partnerId', message: /may not contain '\.' or ':': it names the partner's Kafka topic/ },
      ],
    });
  }
  const issued = await h.app.inject({
    method: 'POST',
    url: '/v1/admin/api-keys',
    headers: h.headers(admin, 'issue-1'),
    payload: { role: 'partner', scope: { kind: 'partner', id: 'p1' }, label: 'Partner one' },
  });
  t.equal(issued.statusCode, 201);
  const body = issued.json<{ keyId: string; key: string; position: string; role: string }>();
  t.match(body, { role: 'partner', scope: { kind: 'partner', id: 'p1' }, revoked: false, position: /^\d+$/ });
  t.match(body.key, /^tbk_[A-Za-z0-9_-]{43}$/);
  const partner = `Bearer ${body.key}`;
  t.equal(
    (await h.app.inject({ method: 'GET', url: '/v1/admin/api-keys', headers: { authorization: partner } }))
      .statusCode,
    403,
  );

  const listed = await h.app.inject({
    method: 'GET',
    url: '/v1/admin/api-keys',
    headers: { authorization: admin },
  });
  const keys = listed.json<{ keys: { keyId: string }[] }>().keys;
  t.ok(keys.some((key) => key.keyId === body.keyId));
  t.notMatch(listed.body, body.key, 'the key itself is never listed');
  t.notMatch(listed.body, /keyHash/, 'nor its hash');

  const mismatch = await h.app.inject({
    method: 'POST',
    url: '/v1/admin/api-keys',
    headers: h.headers(admin, 'issue-2'),
    payload: { role: 'desk', scope: { kind: 'partner', id: 'p1' }, label: 'wrong' },
  });
  t.equal(mismatch.statusCode, 422);
  t.equal(problemOf(t, mismatch).code, 'API_KEY_SCOPE_MISMATCH');

  const revoked = await h.app.inject({
    method: 'POST',
    url: `/v1/admin/api-keys/${body.keyId}/revoke`,
    headers: h.headers(admin, 'revoke-1'),
    payload: { reason: 'terminal lost' },
  });
  t.equal(revoked.statusCode, 200);
  t.match(revoked.json(), { keyId: body.keyId, revoked: true });
  const after = await h.app.inject({
    method: 'GET',
    url: '/v1/audit/events',
    headers: { authorization: partner },
  });
  t.equal(problemOf(t, after).code, 'UNAUTHENTICATED');

  const unknown = await h.app.inject({
    method: 'POST',
    url: '/v1/admin/api-keys/00000000-0000-4000-8000-000000000000/revoke',
    headers: h.headers(admin, 'revoke-2'),
    payload: { reason: 'x' },
  });
  t.equal(unknown.statusCode, 404);
  t.equal(problemOf(t, unknown).code, 'API_KEY_NOT_FOUND');
});

t.test(
  'Idempotency-Key: a repeat returns the original response; another body with the key is 409',
  async (t) => {
    const h = await startHarness(t);
    const admin = await h.keyFor('admin', { kind: 'all' });
    const request = {
      method: 'POST' as const,
      url: '/v1/admin/api-keys',
      headers: h.headers(admin, 'same-key'),
      payload: { role: 'auditor', scope: { kind: 'all' }, label: 'Audit office' },
    };
    const first = await h.app.inject(request);
    const head = await h.store.headPosition();
    const second = await h.app.inject(request);
    t.equal(second.statusCode, 201);
    t.equal(second.headers['idempotent-replayed'], 'true');
    const { key: _key, ...withoutSecret } = first.json<Record<string, unknown>>();
    t.same(second.json(), withoutSecret, 'same response, minus the secret shown once');
    t.equal(await h.store.headPosition(), head, 'the repeat appended nothing');

    const reused = await h.app.inject({
      ...request,
      payload: { ...request.payload, label: 'Another office' },
    });
    t.equal(reused.statusCode, 409);
    t.equal(problemOf(t, reused).code, 'IDEMPOTENCY_KEY_REUSED');

    const missing = await h.app.inject({ ...request, headers: { authorization: admin } });
    t.equal(missing.statusCode, 400);
    t.match(problemOf(t, missing), {
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'headers.idempotency-key', message: /^required on every write/ }],
    });
    const malformed = await h.app.inject({ ...request, headers: h.headers(admin, 'no spaces please') });
    t.equal(malformed.statusCode, 400);
    t.match(problemOf(t, malformed), {
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'headers.idempotency-key', message: /^must be 1-100 characters/ }],
    });

    // Keys are scoped per API key: another administrator may use the same string.
    const otherAdmin = await h.keyFor('admin', { kind: 'all' });
    const other = await h.app.inject({ ...request, headers: h.headers(otherAdmin, 'same-key') });
    t.equal(other.statusCode, 201);
    t.equal(other.headers['idempotent-replayed'], undefined);

    // The record is durable: a fresh app over the same store replays it.
    await h.app.close();
    const { buildApp } = await import('../src/app.js');
    const rebuilt = await buildApp({
      config: h.context.config,
      store: h.store,
      ledger: h.ledger,
      logger: h.app.log as never,
    });
    t.teardown(() => rebuilt.app.close());
    const afterRestart = await rebuilt.app.inject(request);
    t.equal(afterRestart.statusCode, 201);
    t.equal(afterRestart.headers['idempotent-replayed'], 'true');
    t.same(afterRestart.json(), withoutSecret);
  },
);

t.test('bad input is a coded 4xx problem and appends nothing', async (t) => {
  const h = await startHarness(t, { environment: { BODY_LIMIT_BYTES: '2048' } });
  const admin = await h.keyFor('admin', { kind: 'all' });
  const head = await h.store.headPosition();
  const send = (payload: string, key: string) =>
    h.app.inject({
      method: 'POST',
      url: '/v1/admin/api-keys',
      headers: { ...h.headers(admin, key), 'content-type': 'application/json' },
      payload,
    });
  const malformed = await send('{"role": "desk", ', 'bad-1');
  t.equal(malformed.statusCode, 400);
  t.equal(problemOf(t, malformed).code, 'MALFORMED_JSON');
  const unknownField = await send(
    JSON.stringify({ role: 'auditor', scope: { kind: 'all' }, label: 'x', extra: 1 }),
    'bad-2',
  );
  t.equal(unknownField.statusCode, 400);
  t.match(problemOf(t, unknownField), {
    code: 'VALIDATION_FAILED',
    errors: [{ field: 'body.extra', message: 'unknown field' }],
  });
  const wrongType = await send(
    JSON.stringify({ role: 'auditor', scope: { kind: 'all' }, label: 42 }),
    'bad-3',
  );
  t.match(problemOf(t, wrongType), { code: 'VALIDATION_FAILED', errors: [{ field: 'body.label' }] });
  const missingField = await send(JSON.stringify({ role: 'auditor', label: 'x' }), 'bad-4');
  t.same(
    problemOf(t, missingField).errors,
    [{ field: 'body.scope', message: 'required (object)' }],
    'a field left out is named as required',
  );
  const missingString = await send(JSON.stringify({ scope: { kind: 'all' }, label: 'x' }), 'bad-4b');
  t.match(problemOf(t, missingString), { errors: [{ field: 'body.role', message: /^required/ }] });
  t.match(problemOf(t, wrongType), {
    errors: [{ field: 'body.label', message: /expected string, received number/ }],
  });
  const pastSafeRange = await h.app.inject({
    method: 'POST',
    url: '/v1/partners/p1/offers',
    headers: { ...h.headers(admin, 'bad-4c'), 'content-type': 'application/json' },
    payload: '{"offerId": "o1", "title": "Lunch", "priceCentipoints": 1e300}',
  });
  t.equal(pastSafeRange.statusCode, 400);
  t.match(
    problemOf(t, pastSafeRange),
    { errors: [{ field: 'body.priceCentipoints', message: /^Too big/ }] },
    'a number past the safe range is one issue, though zod checks it as an integer and as a number',
  );
  t.equal(problemOf(t, pastSafeRange).errors?.length, 1);
  t.equal(problemOf(t, pastSafeRange).detail, 'invalid request: body.priceCentipoints');
  const oversized = await send(
    JSON.stringify({ role: 'auditor', scope: { kind: 'all' }, label: 'x'.repeat(4000) }),
    'bad-5',
  );
  t.equal(oversized.statusCode, 413);
  t.equal(problemOf(t, oversized).code, 'PAYLOAD_TOO_LARGE');
  const textBody = await h.app.inject({
    method: 'POST',
    url: '/v1/admin/api-keys',
    headers: { ...h.headers(admin, 'bad-6'), 'content-type': 'text/plain' },
    payload: 'hello',
  });
  t.equal(textBody.statusCode, 415);
  t.equal(problemOf(t, textBody).code, 'UNSUPPORTED_MEDIA_TYPE');
  // A body the client says is compressed is not read as if it were not: gzip bytes used to be
  // refused as "not valid UTF-8", and plain JSON labelled gzip was written as if unlabelled.
  const body = JSON.stringify({ role: 'auditor', scope: { kind: 'all' }, label: 'x' });
  for (const [encoding, payload] of [
    ['gzip', gzipSync(body)],
    ['gzip', body],
    ['br', body],
    ['GZIP, identity', body],
  ] as const) {
    const encoded = await h.app.inject({
      method: 'POST',
      url: '/v1/admin/api-keys',
      headers: {
        ...h.headers(admin, `bad-7-${encoding.replace(/\W/g, '')}-${typeof payload}`),
        'content-type': 'application/json',
        'content-encoding': encoding,
      },
      payload,
    });
    t.equal(
      encoded.statusCode,
      415,
      `Content-Encoding: ${encoding}, ${typeof payload === 'string' ? 'plain' : 'gzip'} body`,
    );
    t.equal(problemOf(t, encoded).code, 'UNSUPPORTED_MEDIA_TYPE');
    t.match(problemOf(t, encoded).detail, /Content-Encoding/);
  }
  t.equal(await h.store.headPosition(), head, 'nothing was appended');
  const identity = await h.app.inject({
    method: 'POST',
    url: '/v1/admin/api-keys',
    headers: {
      ...h.headers(admin, 'good-1'),
      'content-type': 'application/json',
      'content-encoding': 'Identity',
    },
    payload: body,
  });
  t.equal(identity.statusCode, 201, 'Content-Encoding: identity is no encoding');
});

t.test('thousands of bad fields are refused with a bounded problem, not one issue each', async (t) => {
  // A 200 KiB body of 20,000 unknown members used to be answered with a 1.2 MB problem (every
  // field listed twice, in errors and in detail): five times what was sent, for any key holder.
  const h = await startHarness(t);
  const admin = await h.keyFor('admin', { kind: 'all' });
  const head = await h.store.headPosition();
  const fields = Array.from({ length: 5_000 }, (_, index) => `"extra${index}":1`);
  const refused = await h.app.inject({
    method: 'POST',
    url: '/v1/admin/api-keys',
    headers: { ...h.headers(admin, 'many-1'), 'content-type': 'application/json' },
    payload: `{"role":"auditor","scope":{"kind":"all"},"label":"x",${fields.join(',')}}`,
  });
  t.equal(refused.statusCode, 400);
  const problem = problemOf(t, refused);
  t.equal(problem.code, 'VALIDATION_FAILED');
  t.equal(problem.errors?.length, 100, 'the first 100 issues are listed');
  t.same(problem.errors?.[0], { field: 'body.extra0', message: 'unknown field' });
  t.equal(
    problem.detail,
    `invalid request: ${Array.from({ length: 10 }, (_, index) => `body.extra${index}`).join(', ')} and 4990 more`,
    'the detail names the first ten and counts the rest',
  );
  t.ok(refused.body.length < 10_000, `a ${refused.body.length}-byte answer`);
  t.equal(await h.store.headPosition(), head, 'nothing was appended');
});

t.test('every 401 carries a WWW-Authenticate challenge (RFC 9110 §15.5.2)', async (t) => {
  const h = await startHarness(t);
  const admin = await h.keyFor('admin', { kind: 'all' });
  const cases: [string, Record<string, string>][] = [
    ['no key', {}],
    ['an unknown key', { authorization: `Bearer tbk_${'A'.repeat(43)}` }],
    ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['an unknown session token', { authorization: `Bearer tbv_TB0000000000AA_${'A'.repeat(43)}` }],
  ];
  for (const [label, headers] of cases) {
    const refused = await h.app.inject({ method: 'GET', url: '/v1/audit/events', headers });
    t.equal(refused.statusCode, 401, label);
    t.equal(refused.headers['www-authenticate'], 'Bearer realm="timebank-ledger"', `${label}: challenge`);
  }
  const signIn = await h.app.inject({
    method: 'POST',
    url: '/v1/volunteer-sessions',
    headers: { 'idempotency-key': 'sign-in-1', 'content-type': 'application/json' },
    payload: { volunteerNumber: 'TB0000000000AA', passphrase: 'not the passphrase' },
  });
  t.equal(signIn.statusCode, 401, 'a failed sign-in');
  t.equal(signIn.headers['www-authenticate'], 'Bearer realm="timebank-ledger"');
  const allowed = await h.app.inject({
    method: 'GET',
    url: '/v1/audit/events',
    headers: { authorization: admin },
  });
  t.equal(allowed.statusCode, 200);
  t.equal(allowed.headers['www-authenticate'], undefined, 'no challenge on an answer');
});

t.test('rate limiting is per API key and answers 429 RATE_LIMITED', async (t) => {
  const h = await startHarness(t, { environment: { RATE_LIMIT_REQUESTS_MAX: '3' } });
  const first = await h.keyFor('auditor', { kind: 'all' });
  const second = await h.keyFor('auditor', { kind: 'all' });
  const call = (authorization: string) =>
    h.app.inject({ method: 'GET', url: '/v1/audit/events', headers: { authorization } });
  for (let index = 0; index < 3; index += 1) t.equal((await call(first)).statusCode, 200);
  const limited = await call(first);
  t.equal(limited.statusCode, 429);
  t.equal(problemOf(t, limited).code, 'RATE_LIMITED');
  t.equal((await call(second)).statusCode, 200, 'another key has its own budget');
  t.equal((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'probes are not limited');
});

t.test('logs carry request ids and never the API key', async (t) => {
  const h = await startHarness(t);
  const admin = await h.keyFor('admin', { kind: 'all' });
  const response = await h.app.inject({
    method: 'GET',
    url: '/v1/admin/api-keys',
    headers: { authorization: admin, 'x-request-id': 'req-abc-123' },
  });
  t.equal(response.headers['x-request-id'], 'req-abc-123');
  const lines = h.logs.map((line) => JSON.parse(line) as { reqId?: string });
  t.ok(
    lines.some((line) => line.reqId === 'req-abc-123'),
    'the request id is in the log',
  );
  const secret = admin.slice('Bearer '.length);
  t.notOk(
    h.logs.some((line) => line.includes(secret)),
    'the key never appears in the log',
  );
});
