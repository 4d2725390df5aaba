/**
 * 低偿 (low-cost) offers through HTTP: an offer priced in points plus a cash co-payment in fen,
 * the redemption recording both, and the partner's monthly statement totalling both — over a
 * real SQLite store and read models.
 */
import t from 'tap';
import { startWorld } from './fixtures.js';
import { problemOf } from './harness.js';

interface Statement {
  holds: { holdId: string; centipoints: number; cashCopayFen: number; status: string }[];
  settlements: {
    period: string;
    capturedCount: number;
    capturedCentipoints: number;
    capturedCashFen: number;
    releasedCentipoints: number;
  }[];
}

t.test('a partner publishes a low-cost offer; a bad co-payment is refused with its own code', async (t) => {
  const w = await startWorld(t);
  const published = await w.post('/v1/partners/p1/offers', w.partner, {
    offerId: 'lunch',
    title: 'Lunch at the canteen',
    priceCentipoints: 200,
    cashCopayFen: 500,
  });
  t.equal(published.statusCode, 201, published.body);
  const offers = await w.get('/v1/partners/p1/offers', w.partner);
  t.match(offers.json(), {
    offers: [
      { offerId: 'meal', priceCentipoints: 100, cashCopayFen: 0 },
      { offerId: 'lunch', priceCentipoints: 200, cashCopayFen: 500 },
    ],
  });

  const head = await w.store.headPosition();
  for (const [cashCopayFen, label] of [
    [-1, 'negative'],
    [1.5, 'a fraction of a fen'],
    [100_001, 'above the limit'],
  ] as const) {
    const refused = await w.post('/v1/partners/p1/offers', w.partner, {
      offerId: `bad-${label.length}`,
      title: 'Bad',
      priceCentipoints: 100,
      cashCopayFen,
    });
    t.equal(refused.statusCode, 422, label);
    t.match(problemOf(t, refused), { code: 'OFFER_CASH_COPAY_INVALID', detail: /0 to 100000/ }, label);
  }
  t.equal(await w.store.headPosition(), head, 'refusals appended nothing');
  const free = await w.post('/v1/partners/p1/offers', w.partner, {
    offerId: 'tea',
    title: 'Tea',
    priceCentipoints: 50,
    cashCopayFen: 0,
  });
  t.equal(free.statusCode, 201, 'a co-payment of 0 is a points-only offer');
  const other = await w.post('/v1/partners/p1/offers', w.otherPartner, {
    offerId: 'x',
    title: 'X',
    priceCentipoints: 50,
    cashCopayFen: 100,
  });
  t.equal(other.statusCode, 403, "another partner cannot publish this partner's offers");
});

t.test('redemptions record points and cash; the statement totals both per month', async (t) => {
  const w = await startWorld(t, { READ_YOUR_WRITES_TIMEOUT_MS: '300' });
  await w.post('/v1/partners/p1/offers', w.admin, {
    offerId: 'lunch',
    title: 'Lunch',
    priceCentipoints: 200,
    cashCopayFen: 500,
  });
  const volunteerId = await w.registerVolunteer(7101);
  await w.earn(volunteerId, 10, 30);
  await w.grantMandate(volunteerId);

  const redeemed = await w.post('/v1/partners/p1/redemptions', w.partner, {
    volunteerId,
    offerId: 'lunch',
    centipoints: 200,
  });
  t.equal(redeemed.statusCode, 201, redeemed.body);
  const held = await w.post('/v1/partners/p1/holds', w.partner, {
    volunteerId,
    offerId: 'lunch',
    centipoints: 200,
  });
  t.equal(held.statusCode, 201, held.body);
  const { holdId } = held.json<{ holdId: string }>();
  const captured = await w.post(`/v1/partners/p1/holds/${holdId}/capture`, w.partner, { volunteerId });
  t.equal(captured.statusCode, 200, captured.body);
  const released = await w.post('/v1/partners/p1/holds', w.partner, {
    volunteerId,
    offerId: 'lunch',
    centipoints: 200,
  });
  const releasedId = released.json<{ holdId: string }>().holdId;
  await w.post(`/v1/partners/p1/holds/${releasedId}/release`, w.partner, { volunteerId });
  const plain = await w.post('/v1/partners/p1/redemptions', w.partner, {
    volunteerId,
    offerId: 'meal',
    centipoints: 100,
  });
  const { position } = plain.json<{ position: string }>();

  const history = await w.get(`/v1/volunteers/${volunteerId}/history`, w.admin);
  const events = history.json<{ events: { type: string; data: Record<string, unknown> }[] }>().events;
  const captures = events.filter((event) => event.type === 'PointsCaptured');
  t.same(
    captures.map((event) => event.data.cashCopayFen),
    [500, 500, undefined],
    'each capture records the cash; a points-only one carries none (read as 0)',
  );

  const statement = await w.get(`/v1/partners/p1/statement?minPosition=${position}`, w.partner);
  t.equal(statement.statusCode, 200, statement.body);
  const body = statement.json<Statement>();
  t.equal(body.settlements.length, 1);
  t.match(body.settlements[0], {
    capturedCount: 3,
    capturedCentipoints: 500,
    capturedCashFen: 1000,
    releasedCentipoints: 200,
  });
  t.same(
    body.holds.map((hold) => [hold.status, hold.cashCopayFen]).sort(),
    [
      ['captured', 0],
      ['captured', 500],
      ['captured', 500],
      ['released', 500],
    ],
    'each hold shows the cash it was placed with',
  );
  const period = body.settlements[0]!.period;
  const month = await w.get(`/v1/partners/p1/statement?period=${period}&minPosition=${position}`, w.admin);
  t.match(month.json(), { settlements: [{ period, capturedCashFen: 1000 }] });
  const otherPartner = await w.get('/v1/partners/p1/statement', w.otherPartner);
  t.equal(otherPartner.statusCode, 403, "another partner never sees this statement's cash");
});
