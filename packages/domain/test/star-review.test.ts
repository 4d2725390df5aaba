/**
 * The administrator's star transitions: resolving the awards flagged for review (keep or revoke,
 * with a reason) and barring star certification for 1–3 years after fraudulent hours.
 */
import t from 'tap';
import {
  awardedStarLevel,
  effectiveStarLevel,
  foldVolunteer,
  MILLISECONDS_PER_DAY,
  parseInstant,
  type DomainEvent,
} from '../src/index.js';
import { confirm, record, register, VOLUNTEER_ID } from './support/fixtures.js';
import {
  ADMIN,
  DESK,
  given,
  history,
  lastRecordId,
  NOW,
  ORGANISER,
  testContext,
} from './support/scenario.js';

const NOW_MS = parseInstant(NOW);
const inDays = (days: number) => new Date(NOW_MS + days * MILLISECONDS_PER_DAY).toISOString();

const apply = (key: string) =>
  ({ type: 'ApplyForStarRating', idempotencyKey: key, actor: DESK, volunteerId: VOLUNTEER_ID }) as const;
const review = (decision: 'keep' | 'revoke', key = `review-${decision}`) =>
  ({
    type: 'ResolveStarAwardReview',
    idempotencyKey: key,
    actor: ADMIN,
    volunteerId: VOLUNTEER_ID,
    decision,
    reason: 'sign-in sheets checked',
  }) as const;
const bar = (until: string, key = 'bar-1') =>
  ({
    type: 'BarStarCertification',
    idempotencyKey: key,
    actor: ADMIN,
    volunteerId: VOLUNTEER_ID,
    until,
    reason: 'fraudulent hours',
  }) as const;

/** Nine days of 12 confirmed hours in March 2026: 108 h, one star's worth. */
function withHours(t: Parameters<typeof history>[0]): DomainEvent[] {
  const context = testContext();
  let events = history(t, [register()], context);
  for (let day = 1; day <= 9; day += 1) {
    events = history(t, [record(8, 20, {}, day)], context, events);
    events = history(t, [confirm(lastRecordId(events))], context, events);
  }
  return events;
}

/** One star awarded, then the first record voided: 96 h, so the award is flagged for review. */
function withFlaggedStar(t: Parameters<typeof history>[0]): DomainEvent[] {
  const events = withHours(t);
  const firstRecordId = events.find((event) => event.type === 'ServiceHoursRecorded')?.data.recordId ?? '';
  const flagged = history(
    t,
    [
      apply('star-1'),
      {
        type: 'VoidServiceRecord',
        idempotencyKey: 'void-1',
        actor: ORGANISER,
        volunteerId: VOLUNTEER_ID,
        recordId: firstRecordId,
        reasonCode: 'fraudulent_record',
        note: '',
      },
    ],
    testContext(),
    events,
  );
  t.ok(
    flagged.some((event) => event.type === 'StarAwardFlaggedForReview'),
    'the void flagged the award',
  );
  return flagged;
}

t.test('keep clears the flag; the star stays', async (t) => {
  const events = withFlaggedStar(t);
  const kept = given(t, events)
    .when(review('keep'))
    .then([
      {
        type: 'StarAwardReviewResolved',
        data: { levels: [1], decision: 'keep', awardedLevelAfter: 1, resolvedAt: NOW, actor: ADMIN },
      },
    ]);
  const state = foldVolunteer([...events, ...kept]);
  t.equal(awardedStarLevel(state), 1);
  t.equal(effectiveStarLevel(state, NOW_MS), 1);
  t.notOk(
    state.awards.some((award) => award.flaggedForReview),
    'no award flagged any more',
  );
  given(t, [...events, ...kept])
    .when(review('revoke'))
    .thenFails('STAR_AWARD_NOT_FLAGGED');
  given(t, [...events, ...kept])
    .when(review('keep'))
    .then([]);
});

t.test('revoke withdraws the flagged award: awarded and effective stars fall', async (t) => {
  const events = withFlaggedStar(t);
  const revoked = given(t, events)
    .when(review('revoke'))
    .then([
      { type: 'StarAwardReviewResolved', data: { levels: [1], decision: 'revoke', awardedLevelAfter: 0 } },
    ]);
  const state = foldVolunteer([...events, ...revoked]);
  t.equal(awardedStarLevel(state), 0);
  t.equal(effectiveStarLevel(state, NOW_MS), 0);
  given(t, [...events, ...revoked])
    .when(apply('star-2'))
    .thenFails('NOT_ELIGIBLE_FOR_STAR', { eligibleLevel: 0, awardedLevel: 0 });
});

t.test('a review needs a flagged award and an administrator', async (t) => {
  const events = withHours(t);
  given(t, events).when(review('keep')).thenFails('STAR_AWARD_NOT_FLAGGED');
  given(t, withFlaggedStar(t))
    .when({ ...review('revoke'), actor: DESK })
    .thenFails('ACTOR_NOT_PERMITTED');
});

t.test('a bar refuses star applications until it ends; awards stand', async (t) => {
  const events = withHours(t);
  const until = inDays(400);
  const barred = given(t, events)
    .when(bar(until))
    .then([{ type: 'StarCertificationBarred', data: { barredUntil: until, barredAt: NOW, actor: ADMIN } }]);
  given(t, [...events, ...barred])
    .when(apply('star-1'))
    .thenFails('STAR_CERTIFICATION_BARRED', { barredUntil: until });
  given(t, [...events, ...barred], testContext({ now: inDays(399) }))
    .when(apply('star-1'))
    .thenFails('STAR_CERTIFICATION_BARRED');
  given(t, [...events, ...barred], testContext({ now: until }))
    .when(apply('star-1'))
    .then([{ type: 'StarRatingApplied', data: { level: 1 } }, { type: 'StarRatingAwarded' }]);
});

t.test('a bar lasts one to three years, set by an administrator', async (t) => {
  const events = withHours(t);
  const limits = { minDays: 365, maxDays: 1096 };
  given(t, events)
    .when(bar(inDays(-1)))
    .thenFails('STAR_BAR_PERIOD_INVALID', limits);
  given(t, events)
    .when(bar(inDays(364)))
    .thenFails('STAR_BAR_PERIOD_INVALID', limits);
  given(t, events)
    .when(bar(inDays(1097)))
    .thenFails('STAR_BAR_PERIOD_INVALID', limits);
  given(t, events)
    .when(bar(inDays(365)))
    .then([{ type: 'StarCertificationBarred' }]);
  given(t, events)
    .when(bar(inDays(1096)))
    .then([{ type: 'StarCertificationBarred' }]);
  given(t, events)
    .when({ ...bar(inDays(400)), actor: DESK })
    .thenFails('ACTOR_NOT_PERMITTED');
});
