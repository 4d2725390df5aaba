/**
 * Routes served from the read models, with read-your-writes through `minPosition`, and as-of
 * queries folded from the stream.
 */
import t from 'tap';
import { hoursAgo, startWorld } from './fixtures.js';
import { problemOf } from './harness.js';

t.test('an organiser lists its pending records: the queue it confirms or rejects', async (t) => {
  const w = await startWorld(t, { READ_YOUR_WRITES_TIMEOUT_MS: '300' });
  const volunteerId = await w.registerVolunteer(7101);
  const recordOf = async (hoursBefore: number) =>
    (
      await w.post(`/v1/volunteers/${volunteerId}/service-records`, w.organiser, {
        activity: 'Tutoring',
        organisationId: 'org1',
        startAt: hoursAgo(hoursBefore),
        endAt: hoursAgo(hoursBefore - 1),
      })
    ).json<{ recordId: string }>().recordId;
  const first = await recordOf(30);
  const second = await recordOf(20);
  const confirmed = await w.post(
    `/v1/volunteers/${volunteerId}/service-records/${first}/confirm`,
    w.organiser,
    {},
  );
  const { position } = confirmed.json<{ position: string }>();
  const pending = await w.get(
    `/v1/organisations/org1/service-records?status=pending&minPosition=${position}`,
    w.organiser,
  );
  t.equal(pending.statusCode, 200);
  t.same(
    pending
      .json<{ records: { recordId: string; status: string; durationMinutes: number }[] }>()
      .records.map((record) => [record.recordId, record.status, record.durationMinutes]),
    [[second, 'pending', 60]],
    'only the record still pending',
  );
  const all = await w.get(`/v1/organisations/org1/service-records?minPosition=${position}`, w.organiser);
  t.equal(all.json<{ records: unknown[] }>().records.length, 2, 'without status: every record');
  t.equal(
    (await w.get('/v1/organisations/org1/service-records', w.otherOrganiser)).statusCode,
    403,
    "another organisation's organiser is refused",
  );
  t.equal(
    problemOf(t, await w.get('/v1/organisations/org1/service-records?status=done', w.organiser)).code,
    'VALIDATION_FAILED',
  );
});

t.test(
  'an organisation pages through its records by cursor, a group activity split across pages',
  async (t) => {
    const w = await startWorld(t, { READ_YOUR_WRITES_TIMEOUT_MS: '300' });
    const volunteerIds: string[] = [];
    for (let seed = 7201; seed <= 7205; seed += 1) volunteerIds.push(await w.registerVolunteer(seed));
    const alone = await w.post(`/v1/volunteers/${volunteerIds[0]}/service-records`, w.organiser, {
      activity: 'Tutoring',
      organisationId: 'org1',
      startAt: hoursAgo(30),
      endAt: hoursAgo(29),
    });
    t.equal(alone.statusCode, 201);
    // Five records that start at the same instant: a page boundary falls inside them.
    const group = await w.post('/v1/activities', w.organiser, {
      activity: 'Park clean-up',
      organisationId: 'org1',
      startAt: hoursAgo(6),
      endAt: hoursAgo(4),
      volunteerIds,
    });
    t.equal(group.statusCode, 201);
    const { position } = group.json<{ position: string }>();

    interface Page {
      records: { recordId: string; startAt: string }[];
      nextCursor: string | null;
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 1; pages <= 10; pages += 1) {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const response = await w.get(
        `/v1/organisations/org1/service-records?limit=2&minPosition=${position}${query}`,
        w.organiser,
      );
      t.equal(response.statusCode, 200);
      const page = response.json<Page>();
      seen.push(...page.records.map((record) => record.recordId));
      cursor = page.nextCursor;
      if (cursor === null) break;
      t.equal(page.records.length, 2, 'a page with a next one is full');
    }
    const whole = (
      await w.get(`/v1/organisations/org1/service-records?minPosition=${position}`, w.organiser)
    ).json<Page>();
    t.equal(whole.records.length, 6, 'one record alone and five of the group');
    t.equal(whole.nextCursor, null, 'one page holds them all');
    t.same(
      seen,
      whole.records.map((record) => record.recordId),
      'the pages hold every record once, in order',
    );

    for (const bad of ['garbage', '2026-01-01T00:00:00.000Z~v1', '2026-01-01T00:00:00Z~v1~r1']) {
      const refused = await w.get(
        `/v1/organisations/org1/service-records?cursor=${encodeURIComponent(bad)}`,
        w.organiser,
      );
      t.match(problemOf(t, refused), { code: 'VALIDATION_FAILED', errors: [{ field: 'query.cursor' }] }, bad);
    }
    for (const limit of ['0', '1001', 'x']) {
      const refused = await w.get(`/v1/organisations/org1/service-records?limit=${limit}`, w.organiser);
      t.match(
        problemOf(t, refused),
        { code: 'VALIDATION_FAILED', errors: [{ field: 'query.limit' }] },
        limit,
      );
    }
  },
);

t.test('read models answer with the caller’s own writes when asked for their position', async (t) => {
  const w = await startWorld(t, { READ_YOUR_WRITES_TIMEOUT_MS: '300' });
  const volunteerId = await w.registerVolunteer(7001);
  await w.earn(volunteerId, 2, 30);
  await w.grantMandate(volunteerId);
  const redeemed = await w.post('/v1/partners/p1/redemptions', w.partner, {
    volunteerId,
    offerId: 'meal',
    centipoints: 100,
  });
  t.equal(redeemed.statusCode, 201);
  const { position } = redeemed.json<{ position: string }>();

  const summary = (await w.get(`/v1/volunteers/${volunteerId}`, w.desk)).json<{ volunteerNumber: string }>();
  const byNumber = await w.get(
    `/v1/volunteers/by-number/${summary.volunteerNumber}?minPosition=${position}`,
    w.desk,
  );
  t.equal(byNumber.statusCode, 200);
  t.match(byNumber.json(), {
    volunteerId,
    community: 'c1',
    confirmedMinutes: 120,
    points: { spentCentipoints: 100 },
  });
  const outOfScope = await w.get(
    `/v1/volunteers/by-number/${summary.volunteerNumber}?minPosition=${position}`,
    w.otherDesk,
  );
  // Another community's volunteer reads as nobody, so the number's existence is not disclosed.
  t.equal(outOfScope.statusCode, 404);
  t.equal(problemOf(t, outOfScope).code, 'VOLUNTEER_NOT_FOUND');
  const unknownNumber = await w.get(
    `/v1/volunteers/by-number/TB000000000000?minPosition=${position}`,
    w.desk,
  );
  t.equal(problemOf(t, unknownNumber).code, 'VOLUNTEER_NOT_FOUND');

  const statement = await w.get(`/v1/partners/p1/statement?minPosition=${position}`, w.partner);
  t.equal(statement.statusCode, 200);
  t.match(statement.json(), {
    partnerId: 'p1',
    holds: [{ volunteerId, centipoints: 100, status: 'captured' }],
  });
  t.match(statement.json(), { settlements: [{ capturedCentipoints: 100 }] });
  t.notMatch(
    statement.body,
    /name|nationalId|phone|Minutes/,
    'no identity and no hours in a partner statement',
  );

  const statistics = await w.get(`/v1/communities/c1/statistics?minPosition=${position}`, w.desk);
  t.match(statistics.json(), { registeredVolunteers: 1, activeVolunteers: 1 });
  const balances = await w.get(`/v1/audit/balances?minPosition=${position}`, w.auditor);
  t.equal(
    balances.json<{ totalCentipoints: number }>().totalCentipoints,
    0,
    'double entry: the balances sum to zero',
  );

  // Beyond the head no wait can help: refused at once (test/positions.test.ts covers READ_MODEL_BEHIND).
  const beyond = await w.get(`/v1/audit/balances?minPosition=${BigInt(position) + 1_000_000n}`, w.auditor);
  t.equal(beyond.statusCode, 400);
  t.equal(problemOf(t, beyond).code, 'POSITION_BEYOND_HEAD');

  const ready = await w.app.inject({ method: 'GET', url: '/readyz' });
  t.equal(ready.statusCode, 200, 'ready once the projector has caught up');
  const metrics = await w.app.inject({ method: 'GET', url: '/metrics' });
  t.match(metrics.body, /ledger_projection_lag_events \d+/);
  t.match(metrics.body, /ledger_command_conflicts_total \d+/);
  t.match(metrics.body, /ledger_store_appends_total\{outcome="ok"\} \d+/);
  t.notOk(
    w.logs.some((line) => line.includes('projector stopped')),
    'the projector took every event, API streams included',
  );
});

t.test('as-of queries replay a volunteer to a past position', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(7002);
  const before = (await w.post(`/v1/volunteers/${volunteerId}/star-applications`, w.admin, {})).statusCode;
  t.equal(before, 422, 'not eligible yet');
  const head = (await w.get('/v1/audit/events?limit=1', w.auditor)).json<{ headPosition: string }>()
    .headPosition;
  await w.earn(volunteerId, 3, 30);
  const then = await w.get(`/v1/audit/volunteers/${volunteerId}/as-of?position=${head}`, w.auditor);
  t.equal(then.statusCode, 200);
  t.match(then.json(), { summary: { confirmedMinutes: 0 } });
  const now = await w.get(
    `/v1/audit/volunteers/${volunteerId}/as-of?at=${new Date().toISOString()}`,
    w.auditor,
  );
  t.match(now.json(), { summary: { confirmedMinutes: 180 } });
  const neither = await w.get(`/v1/audit/volunteers/${volunteerId}/as-of`, w.auditor);
  t.equal(problemOf(t, neither).code, 'VALIDATION_FAILED');
  const early = await w.get(`/v1/audit/volunteers/${volunteerId}/as-of?position=1`, w.auditor);
  t.equal(problemOf(t, early).code, 'VOLUNTEER_NOT_FOUND');
});

t.test('the as-of summary has the shape of GET /v1/volunteers/:id, key for key', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(7003);
  await w.earn(volunteerId, 2, 30);
  const current = await w.get(`/v1/volunteers/${volunteerId}`, w.admin);
  t.equal(current.statusCode, 200);
  const asOf = await w.get(
    `/v1/audit/volunteers/${volunteerId}/as-of?at=${new Date().toISOString()}`,
    w.auditor,
  );
  t.equal(asOf.statusCode, 200);
  const summaryNow = current.json<Record<string, unknown>>();
  const summaryAsOf = asOf.json<{ summary: Record<string, unknown> }>().summary;
  t.same(Object.keys(summaryAsOf).sort(), Object.keys(summaryNow).sort(), 'the same keys');
  t.same(summaryAsOf, summaryNow, 'and, as of now, the same values');
  t.match(summaryAsOf, { starReviewFlag: false, effectiveStars: 0, usableCentipoints: Number });
  t.notOk('points' in summaryAsOf, 'points are not nested in another shape');
});

t.test('a statement validates its period and knows its partner, as /offers does', async (t) => {
  const w = await startWorld(t);
  for (const period of ['2026-13', '2026-00', '2026-1', '26-01']) {
    const response = await w.get(`/v1/partners/p1/statement?period=${period}`, w.partner);
    t.equal(response.statusCode, 400, period);
    const problem = problemOf(t, response);
    t.equal(problem.code, 'VALIDATION_FAILED');
    t.same(
      problem.errors?.map((issue) => issue.field),
      ['query.period'],
    );
  }
  const december = await w.get('/v1/partners/p1/statement?period=2026-12', w.partner);
  t.equal(december.statusCode, 200);
  t.same(december.json(), { partnerId: 'p1', holds: [], settlements: [], nextCursor: null });

  const offers = await w.get('/v1/partners/nobody/offers', w.admin);
  t.equal(problemOf(t, offers).code, 'PARTNER_NOT_FOUND');
  const statement = await w.get('/v1/partners/nobody/statement', w.admin);
  t.equal(statement.statusCode, 404);
  t.equal(problemOf(t, statement).code, 'PARTNER_NOT_FOUND', 'the same answer as /offers');
});

t.test('a month’s statement lists the holds placed in that local month, a page at a time', async (t) => {
  let now = Date.now();
  const w = await startWorld(t, {}, { clock: () => now });
  const volunteerId = await w.registerVolunteer(7101);
  await w.earn(volunteerId, 10, 30);
  await w.grantMandate(volunteerId);
  // The first instant of the next local month (UTC+8), and the months on either side of it.
  const local = new Date(now + 8 * 3_600_000);
  const nextMonthStart = Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 1) - 8 * 3_600_000;
  const period = (instant: number): string => new Date(instant + 8 * 3_600_000).toISOString().slice(0, 7);
  const before = period(nextMonthStart - 1);
  const after = period(nextMonthStart);
  const redeem = async (): Promise<string> => {
    const redeemed = await w.post('/v1/partners/p1/redemptions', w.partner, {
      volunteerId,
      offerId: 'meal',
      centipoints: 100,
    });
    t.equal(redeemed.statusCode, 201, redeemed.body);
    return redeemed.json<{ position: string }>().position;
  };
  now = nextMonthStart - 30 * 60_000; // 23:30 on the last local day of the month
  await redeem();
  now = nextMonthStart + 30 * 60_000; // 00:30 on the first local day of the next
  for (let index = 0; index < 2; index += 1) await redeem();
  now += 60_000;
  const position = await redeem();

  interface Statement {
    holds: { holdId: string; heldAt: string }[];
    settlements: { period: string; heldCount: number }[];
    nextCursor: string | null;
  }
  const read = async (query: string): Promise<Statement> => {
    const response = await w.get(`/v1/partners/p1/statement?minPosition=${position}&${query}`, w.partner);
    t.equal(response.statusCode, 200, response.body);
    return response.json<Statement>();
  };
  const earlier = await read(`period=${before}`);
  t.equal(earlier.holds.length, 1, `${before}: only the hold placed in it`);
  t.match(earlier.settlements, [{ period: before, heldCount: 1 }]);
  const whole = await read(`period=${after}`);
  t.equal(whole.holds.length, 3, `${after}: its three holds and not the earlier month's`);
  t.match(whole.settlements, [{ period: after, heldCount: 3 }]);
  t.equal(whole.nextCursor, null, 'one page holds them all by default');
  t.ok(
    whole.holds.every((hold) => Date.parse(hold.heldAt) >= nextMonthStart),
    'every hold was placed in the month',
  );

  const paged: Statement['holds'] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await read(`period=${after}&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`);
    paged.push(...page.holds);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== null && pages < 5);
  t.equal(pages, 2);
  t.same(paged, whole.holds, 'the pages, joined, are the whole list in the same order (newest first)');
  t.equal((await read('')).holds.length, 4, 'without a period: every hold');

  for (const bad of [
    'limit=0',
    'cursor=yesterday',
    `cursor=${encodeURIComponent('2026-12-01T00:00:00Z~v~h')}`,
  ]) {
    const refused = await w.get(`/v1/partners/p1/statement?${bad}`, w.partner);
    t.equal(refused.statusCode, 400, `${bad} is refused`);
  }
});
