/**
 * Voiding a record whose points were spent but had not expired yet. The void takes back what it
 * can; what it cannot (the shortfall) was spent out of that record's lot, and stays counted against
 * it. Before, the void dropped the lot, so the spending counted against the volunteer's later lots
 * instead, and those expired that much less: the ledger gave the shortfall away a second time.
 *
 * Policy (from 2026-01-01): 1 point an hour, points expire 30 days after they are earned. Record A,
 * local 2026-03-09 08:00–18:00, earns 1,000 centipoints on 2026-03-10, expiring 2026-04-09; two
 * 500-centipoint holds spend them; A is voided (nothing left to take back: shortfall 1,000). Record
 * B, local 2026-03-20, earns 1,000 on 2026-03-21, expiring 2026-04-20: nothing spent them.
 */
import t from 'tap';
import { confirm, expirePoints, hold, record, VOLUNTEER_ID } from './support/fixtures.js';
import { partnerContext, policyWithExpiry, volunteerWithHours } from './support/points-setup.js';
import { history, lastRecordId, ORGANISER } from './support/scenario.js';
import {
  computeBalances,
  foldVolunteer,
  usableCentipoints,
  type CommandInput,
  type DecideContext,
  type DomainEvent,
} from '../src/index.js';

const expiringPolicy = (t: Parameters<typeof history>[0]) =>
  policyWithExpiry(t, [{ effectiveFrom: '2026-01-01T00:00:00.000Z', expiryDays: 30 }]);

const voidRecord = (recordId: string): CommandInput => ({
  type: 'VoidServiceRecord',
  idempotencyKey: `void-${recordId}`,
  actor: ORGANISER,
  volunteerId: VOLUNTEER_ID,
  recordId,
  reasonCode: 'duplicate_record',
});

/** A earned, spent and voided in March; B earned on 2026-03-21. */
function spentVoidedThenEarned(t: Parameters<typeof history>[0]) {
  const pointsPolicy = expiringPolicy(t);
  const march10 = partnerContext(t, { pointsPolicy });
  let events = volunteerWithHours(t, 10, march10);
  const recordA = lastRecordId(events);
  events = history(t, [hold(500), hold(500), voidRecord(recordA)], march10, events);
  const march21 = partnerContext(t, { now: '2026-03-21T04:00:00.000Z', pointsPolicy });
  events = history(t, [record(8, 18, {}, 20)], march21, events);
  const recordB = lastRecordId(events);
  events = history(t, [confirm(recordB)], march21, events);
  return { events, recordA, recordB, pointsPolicy };
}

const expiredBy = (events: readonly DomainEvent[]) =>
  events.flatMap((event) => (event.type === 'PointsExpired' ? [event.data.centipoints] : []));

t.test('a voided record whose points were spent keeps that spending off the later lots', async (t) => {
  const { events, recordA, recordB, pointsPolicy } = spentVoidedThenEarned(t);
  t.match(
    events.filter((event) => event.type === 'PointsReversed').map((event) => event.data),
    [{ recordId: recordA, earnedCentipoints: 1000, centipoints: 0, shortfallCentipoints: 1000 }],
    'the void took nothing back: all of A had been spent',
  );
  const state = foldVolunteer(events);
  t.equal(state.availableCentipoints, 1000, "only B's points are left");
  t.equal(
    usableCentipoints(state, Date.parse('2026-04-20T04:00:00.000Z')),
    0,
    "on B's date all of B is due to expire: A's spending was A's",
  );

  const april: DecideContext = partnerContext(t, { now: '2026-04-21T04:00:00.000Z', pointsPolicy });
  const swept = history(t, [expirePoints(recordB)], april, events);
  t.same(expiredBy(swept.slice(events.length)), [1000], "all of B's lot expires");
  t.equal(foldVolunteer(swept).availableCentipoints, 0, 'B expired whole');
  t.equal(computeBalances(swept).get('expired'), 1000, 'the expired account holds B');
});

t.test('what the void took back from later points is not counted against them again', async (t) => {
  // As above, but B is earned before the void: the void takes A's 1,000 back out of B's points.
  const pointsPolicy = expiringPolicy(t);
  const march10 = partnerContext(t, { pointsPolicy });
  let events = volunteerWithHours(t, 10, march10);
  const recordA = lastRecordId(events);
  events = history(t, [hold(500), hold(500)], march10, events);
  const march21 = partnerContext(t, { now: '2026-03-21T04:00:00.000Z', pointsPolicy });
  events = history(t, [record(8, 18, {}, 20)], march21, events);
  const recordB = lastRecordId(events);
  events = history(t, [confirm(recordB), voidRecord(recordA)], march21, events);
  t.match(
    events.filter((event) => event.type === 'PointsReversed').map((event) => event.data),
    [{ recordId: recordA, earnedCentipoints: 1000, centipoints: 1000, shortfallCentipoints: 0 }],
    "the void took A's 1,000 back out of B's points",
  );
  t.equal(foldVolunteer(events).availableCentipoints, 0, 'nothing is left');
  const april = partnerContext(t, { now: '2026-04-21T04:00:00.000Z', pointsPolicy });
  const swept = history(t, [expirePoints(recordB)], april, events);
  t.same(expiredBy(swept.slice(events.length)), [0], 'B has nothing left to expire');
  t.equal(computeBalances(swept).get('expired') ?? 0, 0);
});
