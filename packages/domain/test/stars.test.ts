import t from 'tap';
import {
  DEFAULT_LEDGER_RULES,
  effectiveStarLevel,
  foldVolunteer,
  parseInstant,
  type DomainEvent,
} from '../src/index.js';
import { confirm, record, register, VOLUNTEER_ID } from './support/fixtures.js';
import { DESK, given, history, lastRecordId, NOW, ORGANISER, testContext } from './support/scenario.js';

const apply = (key: string) =>
  ({ type: 'ApplyForStarRating', idempotencyKey: key, actor: DESK, volunteerId: VOLUNTEER_ID }) as const;

/** A volunteer with `days` days of 12 confirmed hours in March 2026. */
function withDays(t: Parameters<typeof history>[0], days: number): DomainEvent[] {
  const context = testContext();
  let events = history(t, [register()], context);
  for (let day = 1; day <= days; day += 1) {
    events = history(t, [record(8, 20, {}, day)], context, events);
    events = history(t, [confirm(lastRecordId(events))], context, events);
  }
  return events;
}

t.test('ApplyForStarRating awards the highest eligible level not yet awarded', async (t) => {
  const events = withDays(t, 9); // 108 h
  const awarded = given(t, events)
    .when(apply('star-1'))
    .then([
      { type: 'StarRatingApplied', data: { level: 1, confirmedMinutes: 108 * 60 } },
      { type: 'StarRatingAwarded', data: { level: 1, awardedAt: NOW, effectiveAt: NOW } },
    ]);
  given(t, [...events, ...awarded])
    .when(apply('star-1'))
    .then([]);
  given(t, [...events, ...awarded])
    .when(apply('star-2'))
    .thenFails('NOT_ELIGIBLE_FOR_STAR', { eligibleLevel: 1, awardedLevel: 1, nextThresholdHours: 300 });
});

t.test('without enough confirmed hours: NOT_ELIGIBLE_FOR_STAR', async (t) => {
  const events = withDays(t, 8); // 96 h
  given(t, events)
    .when(apply('star-1'))
    .thenFails('NOT_ELIGIBLE_FOR_STAR', {
      eligibleLevel: 0,
      confirmedMinutes: 96 * 60,
      nextThresholdHours: 100,
    });
  given(t, events)
    .when({ ...apply('star-x'), actor: ORGANISER })
    .thenFails('ACTOR_NOT_PERMITTED');
  const pending = history(t, [record(8, 20, {}, 9)], testContext(), events);
  given(t, pending).when(apply('star-2')).thenFails('NOT_ELIGIBLE_FOR_STAR');
});

t.test('a notice window delays when the star takes effect', async (t) => {
  const events = withDays(t, 9);
  const rules = { ...DEFAULT_LEDGER_RULES, starNoticeWindowDays: 5 };
  const awarded = given(t, events, testContext({ rules }))
    .when(apply('star-1'))
    .then([
      { type: 'StarRatingApplied' },
      { type: 'StarRatingAwarded', data: { effectiveAt: '2026-03-15T04:00:00.000Z' } },
    ]);
  const state = foldVolunteer([...events, ...awarded]);
  t.equal(effectiveStarLevel(state, parseInstant(NOW)), 0, 'not yet in effect');
  t.equal(
    effectiveStarLevel(state, parseInstant('2026-03-15T04:00:00.000Z')),
    1,
    'in effect after the window',
  );
});
