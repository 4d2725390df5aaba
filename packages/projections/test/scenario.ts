/**
 * One small ledger that exercises every read model: corrections and voids, a policy change (and a
 * version withdrawn before it took effect), captured / released / expired holds, a delivered and a
 * refunded transfer, a donation, expiry and an excess offered above the cap. The expected figures are worked out by hand in the comments.
 */
import { volunteerAccount, offeredAccount } from '@timebank/domain';
import type { EventStore } from '@timebank/event-store';
import { ADMIN, ORGANISER, build, newEvent } from '../src/testing/index.js';
import { appendTo } from './harness.js';

export const ALICE = 'alice';
export const BOB = 'bob';
export const PARTNER = 'p1';

const reversed = (recordId: string, centipoints: number, at: string) =>
  newEvent('PointsReversed', {
    idempotencyKey: `rev-${recordId}`,
    fromAccount: volunteerAccount(ALICE),
    toAccount: 'issuance',
    centipoints,
    volunteerId: ALICE,
    recordId,
    earnedCentipoints: centipoints,
    shortfallCentipoints: 0,
    reasonCode: 'wrong_duration',
    reversedAt: at,
  });

/** Appends the scenario; returns the position of r1's PointsEarned (for as-of) and the last position. */
export async function seedScenario(store: EventStore): Promise<{ afterFirstRecord: bigint; last: bigint }> {
  const alice = `volunteer-${ALICE}`;
  await appendTo(store, 'partner-p1', [build.partnerRegistered(PARTNER, '2026-01-01T00:00:00.000Z')]);
  await appendTo(store, 'policy-points', [
    newEvent('PointsPolicyChanged', {
      idempotencyKey: 'policy-1',
      version: 1,
      effectiveFrom: '2026-02-01T00:00:00.000Z',
      terms: {
        ratePerHourCentipoints: 200,
        qualityMultiplierPercent: { poor: 50, standard: 100, good: 120, excellent: 150 },
        balanceCapCentipoints: 150_000,
        dailyEarningCapCentipoints: null,
        minStarToRedeem: 0,
        expiryDays: null,
      },
      changedAt: '2026-01-20T00:00:00.000Z',
      actor: ADMIN,
    }),
    // Version 2 typed with the year 2099, withdrawn before it took effect: it applies to nothing.
    newEvent('PointsPolicyChanged', {
      idempotencyKey: 'policy-2',
      version: 2,
      effectiveFrom: '2099-02-01T00:00:00.000Z',
      terms: {
        ratePerHourCentipoints: 300,
        qualityMultiplierPercent: { poor: 50, standard: 100, good: 120, excellent: 150 },
        balanceCapCentipoints: 0,
        dailyEarningCapCentipoints: null,
        minStarToRedeem: 0,
        expiryDays: null,
      },
      changedAt: '2026-01-21T00:00:00.000Z',
      actor: ADMIN,
    }),
    newEvent('PointsPolicyVersionWithdrawn', {
      idempotencyKey: 'withdraw-policy-2',
      version: 2,
      reason: 'typed 2099 for 2026',
      withdrawnAt: '2026-01-22T00:00:00.000Z',
      actor: ADMIN,
    }),
  ]);
  await appendTo(store, alice, [build.registered(ALICE, '2026-01-01T00:00:00.000Z', 'community-a')]);
  await appendTo(store, `volunteer-${BOB}`, [
    build.registered(BOB, '2026-01-02T00:00:00.000Z', 'community-b'),
  ]);
  // r1: 120 min confirmed, 200 earned under policy 0.
  const afterFirstRecord = await appendTo(store, alice, [
    build.recorded(ALICE, 'r1', '2026-01-10T01:00:00.000Z', '2026-01-10T03:00:00.000Z', 120),
    build.confirmed(ALICE, 'r1', '2026-01-10T03:00:00.000Z'),
    build.earned(ALICE, 'r1', 200, '2026-01-10T03:00:00.000Z'),
  ]);
  // r2: 60 min under policy 1 (rate 200) → 200; r3 pending 90 min; r4 rejected.
  await appendTo(store, alice, [
    build.recorded(ALICE, 'r2', '2026-02-10T01:00:00.000Z', '2026-02-10T02:00:00.000Z', 60),
    build.confirmed(ALICE, 'r2', '2026-02-10T02:00:00.000Z'),
    build.earned(ALICE, 'r2', 200, '2026-02-10T02:00:00.000Z', 1),
    build.recorded(ALICE, 'r3', '2026-02-12T01:00:00.000Z', '2026-02-12T02:30:00.000Z', 90),
    build.recorded(ALICE, 'r4', '2026-02-13T01:00:00.000Z', '2026-02-13T01:30:00.000Z', 30),
    newEvent('ServiceHoursRejected', {
      idempotencyKey: 'reject-r4',
      volunteerId: ALICE,
      recordId: 'r4',
      reason: 'not our activity',
      rejectedAt: '2026-02-14T00:00:00.000Z',
      actor: ORGANISER,
    }),
    newEvent('StarRatingAwarded', {
      idempotencyKey: 'star-1',
      volunteerId: ALICE,
      applicationId: 'app-1',
      level: 1,
      awardedAt: '2026-02-15T00:00:00.000Z',
      effectiveAt: '2026-02-15T00:00:00.000Z',
    }),
  ]);
  // Correct r1 to 60 min (reverse 200, earn 100 for r1b); void r2 (reverse 200); flag the star.
  await appendTo(store, alice, [
    newEvent('ServiceRecordCorrected', {
      idempotencyKey: 'correct-r1',
      volunteerId: ALICE,
      recordId: 'r1',
      replacementRecordId: 'r1b',
      replacement: {
        recordId: 'r1b',
        activity: 'Meal delivery',
        organisationId: 'org-1',
        startAt: '2026-01-10T01:00:00.000Z',
        endAt: '2026-01-10T02:00:00.000Z',
        durationMinutes: 60,
        status: 'confirmed',
        qualityGrade: 'standard',
      },
      reasonCode: 'wrong_duration',
      note: 'left at ten',
      correctedAt: '2026-02-20T00:00:00.000Z',
      actor: ORGANISER,
    }),
    reversed('r1', 200, '2026-02-20T00:00:00.000Z'),
    build.earned(ALICE, 'r1b', 100, '2026-02-20T00:00:00.000Z'),
    newEvent('ServiceRecordVoided', {
      idempotencyKey: 'void-r2',
      volunteerId: ALICE,
      recordId: 'r2',
      reasonCode: 'duplicate_record',
      note: 'entered twice',
      voidedAt: '2026-02-21T00:00:00.000Z',
      actor: ORGANISER,
    }),
    reversed('r2', 200, '2026-02-21T00:00:00.000Z'),
    newEvent('StarAwardFlaggedForReview', {
      idempotencyKey: 'flag-1',
      volunteerId: ALICE,
      level: 1,
      confirmedMinutes: 60,
      thresholdMinutes: 6000,
      recordId: 'r1',
      flaggedAt: '2026-02-21T00:00:00.000Z',
    }),
  ]);
  // r5: 600 min → 1000. Holds: h1 300 captured, h2 200 released, h3 100 expired (in local April).
  await appendTo(store, alice, [
    build.recorded(ALICE, 'r5', '2026-03-01T00:00:00.000Z', '2026-03-01T10:00:00.000Z', 600),
    build.confirmed(ALICE, 'r5', '2026-03-01T10:00:00.000Z'),
    build.earned(ALICE, 'r5', 1000, '2026-03-01T10:00:00.000Z'),
    build.held(ALICE, 'h1', PARTNER, 300, '2026-03-02T00:00:00.000Z', '2026-03-03T00:00:00.000Z'),
    build.captured(ALICE, 'h1', PARTNER, 300, '2026-03-02T01:00:00.000Z'),
    build.held(ALICE, 'h2', PARTNER, 200, '2026-03-05T00:00:00.000Z', '2026-03-06T00:00:00.000Z'),
    build.released(ALICE, 'h2', PARTNER, 200, '2026-03-05T01:00:00.000Z'),
    build.held(ALICE, 'h3', PARTNER, 100, '2026-03-30T20:00:00.000Z', '2026-03-31T20:00:00.000Z'),
    build.holdExpired(ALICE, 'h3', PARTNER, 100, '2026-03-31T20:00:00.000Z'),
  ]);
  // Transfers: t1 100 delivered to bob; t2 50 to a deactivated volunteer, refunded. Donation 50, expiry 50.
  await appendTo(store, alice, [
    build.transferSent(ALICE, 't1', BOB, 100, '2026-04-01T00:00:00.000Z'),
    build.transferSent(ALICE, 't2', 'carol', 50, '2026-04-01T00:00:00.000Z'),
    build.transferRefunded(ALICE, 't2', 50, '2026-04-01T00:01:00.000Z'),
    newEvent('PointsDonated', {
      idempotencyKey: 'donate-1',
      fromAccount: volunteerAccount(ALICE),
      toAccount: 'in-transit',
      centipoints: 50,
      volunteerId: ALICE,
      donationId: 'd1',
      donatedAt: '2026-04-02T00:00:00.000Z',
      actor: ORGANISER,
    }),
    newEvent('PointsExpired', {
      idempotencyKey: 'expire-1',
      fromAccount: volunteerAccount(ALICE),
      toAccount: 'expired',
      centipoints: 50,
      volunteerId: ALICE,
      expiredAt: '2026-04-03T00:00:00.000Z',
    }),
  ]);
  await appendTo(store, 'donation-pool', [
    newEvent('DonationReceived', {
      idempotencyKey: 'pool-d1',
      fromAccount: 'in-transit',
      toAccount: 'donation-pool',
      centipoints: 50,
      donationId: 'd1',
      fromVolunteerId: ALICE,
      receivedAt: '2026-04-02T00:00:01.000Z',
    }),
  ]);
  const last = await appendTo(store, `volunteer-${BOB}`, [
    build.transferReceived(BOB, 't1', ALICE, 100, '2026-04-01T00:00:01.000Z'),
    newEvent('PointsExcessOffered', {
      idempotencyKey: 'excess-1',
      fromAccount: volunteerAccount(BOB),
      toAccount: offeredAccount(BOB),
      centipoints: 20,
      volunteerId: BOB,
      recordId: 'none',
      balanceCapCentipoints: 80,
      offeredAt: '2026-04-01T00:00:02.000Z',
    }),
  ]);
  return { afterFirstRecord, last };
}
