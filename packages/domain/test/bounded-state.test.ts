/**
 * The folded volunteer state is bounded by the code's constants, not by the stream's length: old
 * settled holds and old idempotency keys are dropped, and what a dropped hold still means (its
 * share of a mandate's monthly cap) is kept in a compact form.
 */
import t from 'tap';
import {
  foldVolunteer,
  PROCESSED_KEYS_MAX,
  SETTLED_HOLDS_KEPT,
  type CommandInput,
  type DomainEvent,
} from '../src/index.js';
import { confirm, hold, mandate, record, VOLUNTEER_ID } from './support/fixtures.js';
import { partnerContext, volunteerWithHours } from './support/points-setup.js';
import { given, history, lastRecordId, PARTNER_USER } from './support/scenario.js';

const resolve = (type: 'CapturePoints' | 'ReleasePoints', holdId: string, key = `${type}-${holdId}`) =>
  ({
    type,
    idempotencyKey: key,
    actor: PARTNER_USER,
    volunteerId: VOLUNTEER_ID,
    holdId,
    partnerId: 'p1',
  }) satisfies CommandInput;

const lastHoldId = (events: readonly DomainEvent[]): string => {
  const held = events.findLast((event) => event.type === 'PointsHeld');
  if (held?.type !== 'PointsHeld') throw new Error('no hold');
  return held.data.holdId;
};

t.test(
  'old settled holds and keys are dropped; dropped captures still count towards the mandate cap',
  async (t) => {
    const context = partnerContext(t);
    // 16 hours: 1,600 centipoints; a mandate capped at 1,500 a month.
    let events = volunteerWithHours(t, 12, context);
    events = history(t, [record(20, 24)], context, events);
    events = history(t, [confirm(lastRecordId(events))], context, events);
    events = history(t, [mandate({ monthlyCapCentipoints: 1500 })], context, events);
    const capturedHoldIds: string[] = [];
    for (let index = 0; index < 2; index += 1) {
      events = history(t, [hold(500)], context, events);
      capturedHoldIds.push(lastHoldId(events));
      events = history(t, [resolve('CapturePoints', lastHoldId(events))], context, events);
    }
    // A release gives its points back to the month's cap, so these cycles never reach it.
    let releasedHoldId = '';
    for (let index = 0; index < SETTLED_HOLDS_KEPT + 10; index += 1) {
      events = history(t, [hold(500)], context, events);
      releasedHoldId = lastHoldId(events);
      events = history(t, [resolve('ReleasePoints', releasedHoldId)], context, events);
    }
    const state = foldVolunteer(events);
    t.equal(state.holds.size, SETTLED_HOLDS_KEPT, 'only the latest settled holds are kept');
    t.equal(state.processedKeys.size, PROCESSED_KEYS_MAX, 'only the latest keys are kept');
    t.notOk(state.holds.has(capturedHoldIds[0]!), 'the first capture was dropped');
    t.equal(state.availableCentipoints, 600, 'the balance is exact');

    // The two dropped captures (1,000 this month) still count: a cap lowered to 1,000 is full.
    given(t, events, context)
      .when(hold(500))
      .then([{ type: 'PointsHeld' }]);
    const lowered = history(t, [mandate({ monthlyCapCentipoints: 1000 })], context, events);
    given(t, lowered, context).when(hold(500)).thenFails('MANDATE_CAP_EXCEEDED');
    // A dropped hold cannot be captured again: it is not found; a kept one is already resolved.
    given(t, events, context)
      .when(resolve('CapturePoints', capturedHoldIds[0]!, 'again-1'))
      .thenFails('HOLD_NOT_FOUND');
    given(t, events, context)
      .when(resolve('CapturePoints', releasedHoldId, 'again-2'))
      .thenFails('HOLD_ALREADY_RESOLVED');
  },
);
