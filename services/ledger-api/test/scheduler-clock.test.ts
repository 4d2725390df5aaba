/**
 * The scheduler reads one injected clock. An expiry is effective at the hold's due time, not when
 * the sweep ran: a sweep an hour late stores the same event and leaves the same balances as one on
 * time, and running it again stores nothing.
 */
import t, { type Test } from 'tap';
import { startWorld, type World } from './fixtures.js';

interface Outcome {
  readonly expiredAt: unknown;
  readonly expiresAt: string;
  readonly summary: unknown;
}

/** One volunteer, one 60 s hold, then a sweep `sweepLateMs` after the due time (plus a repeat). */
async function holdAndSweep(t: Test, sweepLateMs: number): Promise<Outcome> {
  let nowMs = Date.now();
  const w: World = await startWorld(t, {}, { clock: () => nowMs });
  const volunteerId = await w.registerVolunteer(7201);
  await w.earn(volunteerId, 3, 30);
  await w.grantMandate(volunteerId);
  const held = await w.post('/v1/partners/p1/holds', w.partner, {
    volunteerId,
    offerId: 'meal',
    centipoints: 100,
    holdTimeoutSeconds: 60,
  });
  t.equal(held.statusCode, 201);
  const { holdId, expiresAt } = held.json<{ holdId: string; expiresAt: string }>();
  const scheduler = w.ledgerClock.scheduler;
  const caughtUp = async () => t.ok(await w.projector.waitFor(await w.store.headPosition(), 10_000));

  await caughtUp();
  nowMs += 30_000;
  t.same((await scheduler.tick()).effects['expire-holds'], 0, 'nothing is due before the timeout');

  nowMs = Date.parse(expiresAt) + 1;
  const capture = await w.post(`/v1/partners/p1/holds/${holdId}/capture`, w.partner, { volunteerId });
  t.equal(capture.json<{ code: string }>().code, 'HOLD_EXPIRED', 'a capture after the due time fails');

  nowMs = Date.parse(expiresAt) + sweepLateMs;
  t.same((await scheduler.tick()).effects['expire-holds'], 1, 'the sweep expires the hold');
  await caughtUp();
  t.same((await scheduler.tick()).effects['expire-holds'], 0, 'a second sweep stores nothing');

  const stream = await w.get(`/v1/audit/streams/volunteer-${volunteerId}?limit=1000`, w.auditor);
  const expiries = stream
    .json<{ events: { type: string; data: { expiredAt: string } }[] }>()
    .events.filter((event) => event.type === 'PointsHoldExpired');
  t.equal(expiries.length, 1);
  const summary = (await w.get(`/v1/volunteers/${volunteerId}`, w.desk)).json<Record<string, unknown>>();
  return {
    expiredAt: expiries[0]?.data.expiredAt,
    expiresAt,
    summary: {
      available: summary.availableCentipoints,
      held: summary.heldCentipoints,
    },
  };
}

t.test('an expiry is effective at its due time however late the sweep ran', async (t) => {
  const onTime = await holdAndSweep(t, 0);
  const late = await holdAndSweep(t, 3_600_000);
  t.equal(onTime.expiredAt, onTime.expiresAt, 'on time: at the due time');
  t.equal(late.expiredAt, late.expiresAt, 'an hour late: still at the due time');
  t.same(late.summary, onTime.summary, 'the same balances either way');
  t.same(late.summary, { available: 300, held: 0 });
});
