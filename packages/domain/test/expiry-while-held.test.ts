/**
 * Points whose lot falls due while a partner holds them. The clock expires a lot at its date with
 * what is not held and settles it. Found over HTTP: when the hold was then released or timed out,
 * the points came back available but never usable, no due item was left to expire them, and the
 * `expired` account stayed short by as much, for good. Now the release or the hold's expiry
 * expires them at once, in the same append.
 */
import t from 'tap';
import { computeBalances, foldVolunteer, usableCentipoints, type DomainEvent } from '../src/index.js';
import { expirePoints, hold, SYSTEM, VOLUNTEER_ID } from './support/fixtures.js';
import { partnerContext, policyWithExpiry, volunteerWithHours } from './support/points-setup.js';
import { history, PARTNER_USER } from './support/scenario.js';

const holdIdOf = (events: readonly DomainEvent[]): string => {
  const held = events.findLast((event) => event.type === 'PointsHeld');
  if (held?.type !== 'PointsHeld') throw new Error('no hold');
  return held.data.holdId;
};

/** 10 hours (1,000 centipoints, expiring 30 days on), 500 of them held until well after that date. */
function heldPastTheLotsDate(t: Parameters<typeof history>[0]) {
  const pointsPolicy = policyWithExpiry(t, [{ effectiveFrom: '2026-01-01T00:00:00.000Z', expiryDays: 30 }]);
  const context = partnerContext(t, { pointsPolicy });
  const earned = volunteerWithHours(t, 10, context);
  const { recordId, expiresAt } = (earned.at(-1) as { data: { recordId: string; expiresAt: string } }).data;
  // Held four days before the lot's date, for 30 days (the longest a hold may run).
  const holding = partnerContext(t, { now: '2026-04-05T00:00:00.000Z', pointsPolicy });
  const held = history(t, [hold(500, { holdTimeoutSeconds: 30 * 24 * 3600 })], holding, earned);
  // The clock's sweep at the lot's date: only the 500 not held expire, and the lot is settled.
  const late = partnerContext(t, { now: '2026-04-20T00:00:00.000Z', pointsPolicy });
  const swept = history(t, [expirePoints(recordId)], late, held);
  return { pointsPolicy, late, swept, expiresAt, holdId: holdIdOf(held) };
}

t.test('points released after their lot fell due expire at the release', async (t) => {
  const { late, swept, expiresAt, holdId } = heldPastTheLotsDate(t);
  t.match(swept.at(-1), { type: 'PointsExpired', data: { centipoints: 500, expiredAt: expiresAt } });
  const released = history(
    t,
    [
      {
        type: 'ReleasePoints',
        idempotencyKey: 'release',
        actor: PARTNER_USER,
        volunteerId: VOLUNTEER_ID,
        holdId,
        partnerId: 'p1',
      },
    ],
    late,
    swept,
  );
  t.match(
    released.slice(swept.length),
    [
      { type: 'PointsReleased', data: { centipoints: 500 } },
      {
        type: 'PointsExpired',
        data: { centipoints: 500, toAccount: 'expired', expiredAt: '2026-04-20T00:00:00.000Z' },
      },
    ],
    'the 500 that were due while held expire with the release, in the same decision',
  );
  const state = foldVolunteer(released);
  t.equal(state.availableCentipoints, 0, 'nothing is left available');
  t.equal(usableCentipoints(state, Date.parse('2026-04-20T00:00:00.000Z')), 0);
  const balances = computeBalances(released);
  t.equal(balances.get('expired'), 1000, 'the whole lot reached `expired`');
});

t.test('points of a hold that times out after their lot fell due expire with it', async (t) => {
  const { late, swept, holdId } = heldPastTheLotsDate(t);
  const timedOut = history(
    t,
    [{ type: 'ExpireHold', idempotencyKey: 'expire-hold', actor: SYSTEM, volunteerId: VOLUNTEER_ID, holdId }],
    partnerContext(t, { now: '2026-06-01T00:00:00.000Z', pointsPolicy: late.pointsPolicy }),
    swept,
  );
  const appended = timedOut.slice(swept.length);
  t.match(appended, [
    { type: 'PointsHoldExpired', data: { centipoints: 500 } },
    { type: 'PointsExpired', data: { centipoints: 500 } },
  ]);
  t.equal(
    (appended[1] as { data: { expiredAt: string } }).data.expiredAt,
    (appended[0] as { data: { expiredAt: string } }).data.expiredAt,
    "dated at the hold's own expiry",
  );
  t.equal(foldVolunteer(timedOut).availableCentipoints, 0);
  t.equal(computeBalances(timedOut).get('expired'), 1000);
});

t.test('a hold released before its points fall due gives them back spendable, nothing expired', async (t) => {
  const pointsPolicy = policyWithExpiry(t, [{ effectiveFrom: '2026-01-01T00:00:00.000Z', expiryDays: 30 }]);
  const context = partnerContext(t, { pointsPolicy });
  const held = history(t, [hold(500)], context, volunteerWithHours(t, 10, context));
  const released = history(
    t,
    [
      {
        type: 'ReleasePoints',
        idempotencyKey: 'release-early',
        actor: PARTNER_USER,
        volunteerId: VOLUNTEER_ID,
        holdId: holdIdOf(held),
        partnerId: 'p1',
      },
    ],
    context,
    held,
  );
  t.same(
    released.slice(held.length).map((event) => event.type),
    ['PointsReleased'],
  );
  t.equal(foldVolunteer(released).availableCentipoints, 1000);
});
