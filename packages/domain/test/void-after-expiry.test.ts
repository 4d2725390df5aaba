/**
 * Voiding or correcting a record whose points already expired. The points left the volunteer once,
 * by expiry; the void must not take them a second time out of the volunteer's other points. Under
 * a later policy without expiry those other points would never expire, so the second taking was a
 * plain loss for the volunteer.
 *
 * Policy version 1 (from 2026-01-01): points expire after 30 days. Version 2 (from 2026-04-01):
 * they never expire. Record R, local 2026-03-09 08:00–18:00, earns 1,000 centipoints expiring on
 * 2026-04-09; the clock expires them; record S, local 2026-04-19, earns 1,000 that never expire.
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
  type DomainEvent,
} from '../src/index.js';

const expiringThenNot = (t: Parameters<typeof history>[0]) =>
  policyWithExpiry(t, [
    { effectiveFrom: '2026-01-01T00:00:00.000Z', expiryDays: 30 },
    { effectiveFrom: '2026-04-01T00:00:00.000Z', expiryDays: null },
  ]);

const amend = (
  type: 'VoidServiceRecord' | 'CorrectServiceRecord',
  recordId: string,
  extra: Record<string, unknown> = {},
): CommandInput => ({
  type,
  idempotencyKey: `${type}-${recordId}`,
  actor: ORGANISER,
  volunteerId: VOLUNTEER_ID,
  recordId,
  reasonCode: type === 'VoidServiceRecord' ? 'duplicate_record' : 'wrong_activity',
  ...extra,
});

/** R earned and expired (after `spentBeforeExpiry` was held from it), then S earned lasting points. */
function expiredThenLasting(t: Parameters<typeof history>[0], spentBeforeExpiry = 0) {
  const pointsPolicy = expiringThenNot(t);
  const march = partnerContext(t, { pointsPolicy });
  let events = volunteerWithHours(t, 10, march);
  const recordR = lastRecordId(events);
  if (spentBeforeExpiry > 0) events = history(t, [hold(spentBeforeExpiry)], march, events);
  const april = partnerContext(t, { now: '2026-04-20T04:00:00.000Z', pointsPolicy });
  events = history(
    t,
    [
      expirePoints(recordR),
      // Local 2026-04-19 (March 50th), 08:00–18:00.
      record(8, 18, {}, 50),
    ],
    april,
    events,
  );
  const recordS = lastRecordId(events);
  events = history(t, [confirm(recordS)], april, events);
  return { events, recordR, recordS, april };
}

function reversalsOf(events: readonly DomainEvent[]) {
  return events.flatMap((event) => (event.type === 'PointsReversed' ? [event.data] : []));
}

t.test('voiding a record whose points expired takes nothing from points that never expire', async (t) => {
  const { events, recordR, april } = expiredThenLasting(t);
  const before = foldVolunteer(events);
  t.equal(before.availableCentipoints, 1000, "only S's points are left");
  t.equal(before.expiredCentipoints, 1000, "R's points expired");
  const voided = history(t, [amend('VoidServiceRecord', recordR)], april, events);
  const decided = voided.slice(events.length);
  t.match(reversalsOf(decided), [
    {
      recordId: recordR,
      earnedCentipoints: 1000,
      centipoints: 0,
      shortfallCentipoints: 0,
      expiredCentipoints: 1000,
    },
  ]);
  const after = foldVolunteer(voided);
  t.equal(after.availableCentipoints, 1000, "S's points stay the volunteer's");
  t.equal(usableCentipoints(after, Date.parse('2027-01-01T00:00:00.000Z')), 1000, 'and never expire');
  t.equal(computeBalances(voided).get('expired'), 1000, 'the expired points stay expired, once');
});

t.test('of a record partly spent before it expired, only the spent part is taken back', async (t) => {
  const { events, recordR, april } = expiredThenLasting(t, 500);
  t.equal(foldVolunteer(events).expiredCentipoints, 500, 'the unspent 500 of R expired');
  const voided = history(t, [amend('VoidServiceRecord', recordR)], april, events);
  t.match(reversalsOf(voided.slice(events.length)), [
    { earnedCentipoints: 1000, centipoints: 500, shortfallCentipoints: 0, expiredCentipoints: 500 },
  ]);
  t.equal(
    foldVolunteer(voided).availableCentipoints,
    500,
    'the 500 spent come out of S, as for any spent points',
  );
});

t.test('correcting a record whose points expired does not bring them back', async (t) => {
  const { events, recordR, april } = expiredThenLasting(t);
  // Only the activity changes: the replacement earns 1,000 anew, which stand for points that expired.
  const corrected = history(
    t,
    [amend('CorrectServiceRecord', recordR, { activity: 'Visiting elderly neighbours (Yuhua)' })],
    april,
    events,
  );
  const after = foldVolunteer(corrected);
  t.equal(after.availableCentipoints, 1000, "the volunteer keeps S's points and no more");
  t.equal(usableCentipoints(after, Date.parse('2027-01-01T00:00:00.000Z')), 1000, "S's points never expire");
  computeBalances(corrected);
});

t.test('what a void takes back of spent points counts against the soonest-expiring lot', async (t) => {
  // R (1,000, expiring 2026-04-09) is half spent and its other half expires. B, local 2026-03-20,
  // earns 1,000 expiring 2026-04-20; S, local 2026-04-19, 1,000 that never expire. Voiding R takes
  // its spent 500 back out of the volunteer's other points, soonest-expiring first, as a spending
  // would: out of B, so B has 500 left to expire and S stays whole. (Before, the voided lot kept
  // its whole 1,000 against the volunteer's spending and expiry, so all of B expired and the 500
  // came, in effect, out of S, which never expires.)
  const pointsPolicy = expiringThenNot(t);
  const march = partnerContext(t, { pointsPolicy });
  let events = volunteerWithHours(t, 10, march);
  const recordR = lastRecordId(events);
  events = history(t, [hold(500)], march, events);
  const march21 = partnerContext(t, { now: '2026-03-21T04:00:00.000Z', pointsPolicy });
  events = history(t, [record(8, 18, {}, 20)], march21, events);
  const recordB = lastRecordId(events);
  events = history(t, [confirm(recordB)], march21, events);
  const april20 = partnerContext(t, { now: '2026-04-20T02:00:00.000Z', pointsPolicy });
  events = history(t, [expirePoints(recordR), record(8, 18, {}, 50)], april20, events);
  events = history(t, [confirm(lastRecordId(events)), amend('VoidServiceRecord', recordR)], april20, events);
  t.match(reversalsOf(events), [{ earnedCentipoints: 1000, centipoints: 500, expiredCentipoints: 500 }]);
  t.equal(foldVolunteer(events).availableCentipoints, 1500, 'B and S, less the 500 taken back');
  const april22 = partnerContext(t, { now: '2026-04-22T00:00:00.000Z', pointsPolicy });
  const swept = history(t, [expirePoints(recordB)], april22, events);
  t.match(swept.at(-1), { type: 'PointsExpired', data: { centipoints: 500 } }, "B's other 500 expire");
  t.equal(foldVolunteer(swept).availableCentipoints, 1000, "S's 1,000 stay");
});
