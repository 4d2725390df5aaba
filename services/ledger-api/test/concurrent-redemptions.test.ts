/**
 * Over real HTTP: 100 concurrent redemptions against one account. Exactly as many succeed as the
 * balance allows, the rest are refused with INSUFFICIENT_POINTS, and the points captured never
 * exceed the balance.
 */
import t from 'tap';
import { startWorld } from './fixtures.js';

t.test('100 concurrent redemptions never overdraw one account', async (t) => {
  const w = await startWorld(t, { RATE_LIMIT_REQUESTS_MAX: '1000000' });
  const volunteerId = await w.registerVolunteer(9001);
  // 3 × 12 h on separate days + 1 h = 37 h at 100 centipoints per hour: room for exactly 37 meals at 100.
  for (let day = 0; day < 3; day += 1) await w.earn(volunteerId, 12, 24 * day + 30);
  await w.earn(volunteerId, 1, 200);
  await w.grantMandate(volunteerId);
  const balance = (await w.get(`/v1/volunteers/${volunteerId}`, w.desk)).json<{
    availableCentipoints: number;
  }>();
  t.equal(balance.availableCentipoints, 3700);

  const address = await w.app.listen({ host: '127.0.0.1', port: 0 });
  const attempts = 100;
  const responses = await Promise.all(
    Array.from({ length: attempts }, (_, index) =>
      fetch(`${address}/v1/partners/p1/redemptions`, {
        method: 'POST',
        headers: {
          authorization: w.partner,
          'idempotency-key': `redeem-${index}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ volunteerId, offerId: 'meal', centipoints: 100 }),
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { code?: string },
      })),
    ),
  );
  const succeeded = responses.filter((response) => response.status === 201).length;
  const refused = responses.filter(
    (response) => response.status === 422 && response.body.code === 'INSUFFICIENT_POINTS',
  );
  t.equal(succeeded, 37, 'exactly what the balance allows');
  t.equal(refused.length, attempts - 37, 'every other attempt is refused as insufficient');

  const after = (await w.get(`/v1/volunteers/${volunteerId}`, w.desk)).json<{
    availableCentipoints: number;
    heldCentipoints: number;
  }>();
  t.equal(after.availableCentipoints, 0);
  t.equal(after.heldCentipoints, 0);
  const stream = await w.get(`/v1/audit/streams/volunteer-${volunteerId}?limit=1000`, w.auditor);
  const captured = stream
    .json<{ events: { type: string; data: { centipoints?: number } }[] }>()
    .events.filter((event) => event.type === 'PointsCaptured')
    .reduce((sum, event) => sum + (event.data.centipoints ?? 0), 0);
  t.equal(captured, 3700, 'the sum captured equals, and never exceeds, the balance');
});
