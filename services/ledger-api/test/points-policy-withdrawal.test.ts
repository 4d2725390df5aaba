/**
 * Over real HTTP: an administrator withdraws a points-policy version published by mistake (a date
 * in 2099) before it takes effect. The version then blocks no later version, is listed as
 * withdrawn with who, when and why, and the audit chain still verifies. Version 0, an unknown
 * version, one already withdrawn and one already in effect are each refused with their own code;
 * a repeated Idempotency-Key answers the first response again.
 */
import t from 'tap';
import { DOUBLED_RATE_TERMS, startWorld } from './fixtures.js';

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const DAY_MS = 86_400_000;

t.test('a version not yet in effect is withdrawn, and stops blocking later versions', async (t) => {
  let nowMs = Date.parse('2026-12-05T02:00:00.000Z');
  const w = await startWorld(t, {}, { clock: () => nowMs });
  const address = await w.app.listen({ host: '127.0.0.1', port: 0 });
  const send = async (
    url: string,
    authorization: string,
    payload?: unknown,
    key?: string,
  ): Promise<Answer> => {
    const response = await fetch(`${address}${url}`, {
      method: payload === undefined ? 'GET' : 'POST',
      headers: {
        authorization,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const publish = (effectiveFrom: string, key: string) =>
    send('/v1/admin/points-policy', w.admin, { effectiveFrom, terms: DOUBLED_RATE_TERMS }, key);
  const withdraw = (version: number | string, key: string, reason: unknown = 'typed 2099 for 2026') =>
    send(`/v1/admin/points-policy/${version}/withdraw`, w.admin, { reason }, key);

  const typo = await publish('2099-01-01T00:00:00.000Z', 'publish-2099');
  t.match(typo, { status: 201, body: { version: 1 } });
  const tomorrow = new Date(nowMs + DAY_MS).toISOString();
  t.match(
    await publish(tomorrow, 'publish-tomorrow-blocked'),
    { status: 422, body: { code: 'POLICY_EFFECTIVE_NOT_AFTER_LATEST' } },
    'the 2099 version blocks every earlier date',
  );

  t.match(
    await send('/v1/admin/points-policy/1/withdraw', w.admin, {}, 'no-reason'),
    { status: 400, body: { code: 'VALIDATION_FAILED' } },
    'a reason is required',
  );
  t.match(
    await send('/v1/admin/points-policy/1/withdraw', w.desk, { reason: 'not mine' }, 'desk-tries'),
    { status: 403, body: { code: 'FORBIDDEN' } },
    'only an administrator withdraws',
  );
  const withdrawn = await withdraw(1, 'withdraw-1');
  t.match(withdrawn, {
    status: 200,
    body: { version: 1, reason: 'typed 2099 for 2026', withdrawnAt: new Date(nowMs).toISOString() },
  });
  t.same(await withdraw(1, 'withdraw-1'), withdrawn, 'the same Idempotency-Key answers the same again');
  t.match(
    await withdraw(1, 'withdraw-1-again'),
    { status: 409, body: { code: 'POLICY_VERSION_ALREADY_WITHDRAWN' } },
    'a withdrawn version is not withdrawn twice',
  );
  t.match(await withdraw(0, 'withdraw-0'), { status: 409, body: { code: 'POLICY_VERSION_IN_EFFECT' } });
  t.match(await withdraw(7, 'withdraw-7'), { status: 404, body: { code: 'POLICY_VERSION_NOT_FOUND' } });
  t.match(await withdraw('latest', 'withdraw-word'), { status: 400, body: { code: 'VALIDATION_FAILED' } });

  t.match(
    await publish(tomorrow, 'publish-tomorrow'),
    { status: 201, body: { version: 2, effectiveFrom: tomorrow } },
    'a later version is no longer blocked; the withdrawn number is not given again',
  );
  nowMs += 2 * DAY_MS;
  t.match(
    await withdraw(2, 'withdraw-2'),
    { status: 409, body: { code: 'POLICY_VERSION_IN_EFFECT' } },
    'a version in effect is replaced, never withdrawn',
  );

  const listed = await send('/v1/admin/points-policy', w.auditor);
  t.equal(listed.status, 200);
  t.equal(listed.body.asOf, new Date(nowMs).toISOString(), "asOf is the ledger's clock, not the caller's");
  t.match(listed.body, {
    versions: [
      { version: 0, effectiveFrom: null, withdrawal: null },
      {
        version: 1,
        effectiveFrom: '2099-01-01T00:00:00.000Z',
        withdrawal: {
          withdrawnAt: withdrawn.body.withdrawnAt,
          withdrawnBy: /^[0-9a-f-]{36}$/,
          reason: 'typed 2099 for 2026',
        },
      },
      { version: 2, effectiveFrom: tomorrow, withdrawal: null },
    ],
  });
  const stream = await send('/v1/audit/streams/policy-points', w.auditor);
  t.same(
    (stream.body.events as { type: string }[]).map((event) => event.type),
    ['PointsPolicyChanged', 'PointsPolicyVersionWithdrawn', 'PointsPolicyChanged'],
    'the withdrawal is an event; nothing was rewritten',
  );
  t.match(await send('/v1/audit/verify', w.auditor), { status: 200, body: { ok: true, failures: [] } });
});
