/**
 * Scenarios the cache-freshness tests run over each store (SQLite's change log, PostgreSQL's
 * change feed): a points-policy change and the earning after it, and a decision made stale by a
 * write that lands right before its append.
 */
import type { Test } from 'tap';
import type { EventStore } from '@timebank/event-store';
import type { Ledger } from '../../src/ledger.js';
import { idempotencyKeyOf } from '../../src/event-metadata.js';
import { ADMIN, ORGANISER, codeOf, redeem, volunteerWithPoints } from './ledger-fixture.js';
import { beforeFirstAppendTo } from './store-doubles.js';

/**
 * A volunteer with 10 hours of points redeems once to warm the cache, then twice more: the
 * volunteer, policy and partner streams must all come from the cache. Returns the volunteer id.
 */
export async function cachedStreamsAreNotReadAgain(t: Test, ledger: Ledger): Promise<string> {
  const volunteerId = await volunteerWithPoints(ledger, 10);
  await ledger.execute(redeem(volunteerId, 'warm', 100));
  const reads = ledger.streamReads;
  t.equal(await codeOf(ledger.execute(redeem(volunteerId, 'cached-1', 100))), 'OK');
  t.equal(await codeOf(ledger.execute(redeem(volunteerId, 'cached-2', 100))), 'OK');
  t.equal(ledger.streamReads, reads, 'volunteer, policy and partner streams all came from the cache');
  return volunteerId;
}

/** Changes the points rate to 2 points an hour from an hour after `nowMs`; returns when that is. */
export async function doubleTheRate(ledger: Ledger, nowMs: number): Promise<number> {
  const effectiveFromMs = nowMs + 3_600_000;
  await ledger.execute({
    type: 'ChangePointsPolicy',
    idempotencyKey: 'policy-doubled',
    actor: ADMIN,
    effectiveFrom: new Date(effectiveFromMs).toISOString(),
    terms: { ...ledger.rules.initialPointsPolicy, ratePerHourCentipoints: 200 },
  });
  return effectiveFromMs;
}

/** Records two hours of service from an hour after `effectiveFromMs`, confirms them, and returns what they earned. */
export async function earnTwoHoursAfter(
  ledger: Ledger,
  volunteerId: string,
  effectiveFromMs: number,
): Promise<unknown> {
  const recorded = await ledger.execute({
    type: 'RecordServiceHours',
    idempotencyKey: 'after-change',
    actor: ORGANISER,
    volunteerId,
    activity: 'Library help',
    organisationId: 'org-1',
    startAt: new Date(effectiveFromMs + 3_600_000).toISOString(),
    endAt: new Date(effectiveFromMs + 3 * 3_600_000).toISOString(),
  });
  const recordId =
    recorded.events[0]?.type === 'ServiceHoursRecorded' ? recorded.events[0].data.recordId : '';
  const confirmed = await ledger.execute({
    type: 'ConfirmServiceHours',
    idempotencyKey: 'confirm-after-change',
    actor: ORGANISER,
    volunteerId,
    recordId,
  });
  return confirmed.events.find((event) => event.type === 'PointsEarned')?.data;
}

/**
 * The volunteer holds 1,000 centipoints. A racing ledger (made by `racingOver` on a store that
 * lets `other` redeem 600 right before its first append to the volunteer) warms its cache, then
 * decides a redemption of 700 on its cached 1,000 without a read and loses the append: it must
 * reload once and refuse, so that only the other redemption is captured.
 */
export async function staleDecisionIsDecidedAgain(
  t: Test,
  scenario: {
    readonly store: EventStore;
    readonly other: Ledger;
    readonly volunteerId: string;
    readonly racingOver: (raced: EventStore) => Ledger;
  },
): Promise<void> {
  const { store, other, volunteerId } = scenario;
  const streamName = `volunteer-${volunteerId}`;
  const racing = scenario.racingOver(
    beforeFirstAppendTo(store, streamName, () => other.execute(redeem(volunteerId, 'other-wins', 600))),
  );
  // Warm the racing ledger's cache with a command the domain refuses: it reads, appends nothing.
  t.equal(await codeOf(racing.execute(redeem(volunteerId, 'warm', 150_000))), 'INSUFFICIENT_POINTS');
  const reads = racing.streamReads;
  t.equal(await codeOf(racing.execute(redeem(volunteerId, 'stale', 700))), 'INSUFFICIENT_POINTS');
  t.equal(racing.conflicts, 1);
  t.equal(racing.streamReads - reads, 1, 'decided first from the cache; one read to reload');
  const captured = (await store.readStream(streamName))
    .filter((event) => event.type === 'PointsCaptured')
    .map((event) => idempotencyKeyOf(event));
  t.same(captured, ['other-wins']);
}
