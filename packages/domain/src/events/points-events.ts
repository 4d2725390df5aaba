/**
 * Points movements. Each names its double-entry `fromAccount` and `toAccount` (see
 * accounts.ts) and an amount in centipoints; `computeBalances` sums them.
 */
import { z } from 'zod';
import {
  actorSchema,
  correctionReasonSchema,
  eventBase,
  idSchema,
  instantSchema,
  movementFields,
  qualityGradeSchema,
} from './common.js';
import { consentSchema } from './consent-events.js';
import { cashCopayFenSchema } from './registry-events.js';
import { poolAllocationReceivedData, POOL_OUTFLOW_EVENT_DATA } from './pool-events.js';
import { groupDonationReceivedData } from './project-events.js';

export const pointsEarnedData = z.object({
  ...eventBase,
  ...movementFields,
  volunteerId: idSchema,
  recordId: idSchema,
  /** The policy version in force at the service start; 0 is the configured initial policy. */
  policyVersion: z.number().int().nonnegative(),
  durationMinutes: z.number().int().positive(),
  ratePerHourCentipoints: z.number().int().nonnegative(),
  qualityGrade: qualityGradeSchema,
  qualityMultiplierPercent: z.number().int().nonnegative(),
  /** hours × rate × multiplier before the daily earning cap; `centipoints` is after it. */
  uncappedCentipoints: z.number().int().nonnegative(),
  /** Local service day (days since 1970-01-01) the daily earning cap counted against. */
  serviceDay: z.number().int(),
  /** When these points expire under the policy, or null. */
  expiresAt: instantSchema.nullable(),
  earnedAt: instantSchema,
});

/** Earnings above the balance cap move to the volunteer's offered account: offered for donation, not lost. */
export const pointsExcessOfferedData = z.object({
  ...eventBase,
  ...movementFields,
  volunteerId: idSchema,
  recordId: idSchema,
  balanceCapCentipoints: z.number().int().nonnegative(),
  offeredAt: instantSchema,
});

/**
 * A correction or void takes back the points of the old record. Points already spent cannot be
 * taken back without breaking "available ≥ 0", so the part not available is recorded as a
 * shortfall for review instead.
 */
export const pointsReversedData = z.object({
  ...eventBase,
  ...movementFields,
  volunteerId: idSchema,
  recordId: idSchema,
  earnedCentipoints: z.number().int().nonnegative(),
  shortfallCentipoints: z.number().int().nonnegative(),
  /**
   * Of `earnedCentipoints`, what had expired already and is therefore not taken back (absent: none,
   * as on every reversal before this field existed): those points left the volunteer once.
   */
  expiredCentipoints: z.number().int().positive().optional(),
  reasonCode: correctionReasonSchema,
  reversedAt: instantSchema,
});

export const pointsHeldData = z.object({
  ...eventBase,
  ...movementFields,
  volunteerId: idSchema,
  holdId: idSchema,
  partnerId: idSchema,
  offerId: idSchema,
  heldAt: instantSchema,
  expiresAt: instantSchema,
  actor: actorSchema,
  /** The volunteer's consent that authorised the hold; absent on holds from before consent was required. */
  consent: consentSchema.optional(),
  /** The offer's cash co-payment (低偿) in fen at the time of the hold; absent = 0 (older events, free offers). */
  cashCopayFen: cashCopayFenSchema.optional(),
});

const holdResolution = {
  ...eventBase,
  ...movementFields,
  volunteerId: idSchema,
  holdId: idSchema,
  partnerId: idSchema,
};

export const pointsCapturedData = z.object({
  ...holdResolution,
  capturedAt: instantSchema,
  actor: actorSchema,
  /** Cash the partner collected with the points, in fen, copied from the hold; absent = 0. */
  cashCopayFen: cashCopayFenSchema.optional(),
});
export const pointsReleasedData = z.object({
  ...holdResolution,
  releasedAt: instantSchema,
  actor: actorSchema,
});
export const pointsHoldExpiredData = z.object({ ...holdResolution, expiredAt: instantSchema });

export const pointsExpiredData = z.object({
  ...eventBase,
  ...movementFields,
  volunteerId: idSchema,
  /**
   * The lot (earning record) whose expiry date the clock expired; `expiredAt` is then that date.
   * Absent on expiries sent without a lot (an administrator's, or from before the clock). The
   * amount may be 0 when the lot was spent before its date: the clock records that it looked.
   */
  recordId: idSchema.optional(),
  expiredAt: instantSchema,
});

export const pointsTransferSentData = z.object({
  ...eventBase,
  ...movementFields,
  volunteerId: idSchema,
  transferId: idSchema,
  toVolunteerId: idSchema,
  sentAt: instantSchema,
  actor: actorSchema,
});

export const pointsTransferReceivedData = z.object({
  ...eventBase,
  ...movementFields,
  volunteerId: idSchema,
  transferId: idSchema,
  fromVolunteerId: idSchema,
  receivedAt: instantSchema,
});

export const pointsTransferRefundedData = z.object({
  ...eventBase,
  ...movementFields,
  volunteerId: idSchema,
  transferId: idSchema,
  /** The error code that kept the receiver from being credited. */
  reasonCode: z.string().min(1).max(100),
  refundedAt: instantSchema,
});

export const pointsDonatedData = z.object({
  ...eventBase,
  ...movementFields,
  volunteerId: idSchema,
  donationId: idSchema,
  donatedAt: instantSchema,
  actor: actorSchema,
});

/** On the donation-pool stream: the credit side of a `PointsDonated`. */
export const donationReceivedData = z.object({
  ...eventBase,
  ...movementFields,
  donationId: idSchema,
  fromVolunteerId: idSchema,
  receivedAt: instantSchema,
});

export const POINTS_EVENT_DATA = {
  PointsEarned: pointsEarnedData,
  PointsExcessOffered: pointsExcessOfferedData,
  PointsReversed: pointsReversedData,
  PointsHeld: pointsHeldData,
  PointsCaptured: pointsCapturedData,
  PointsReleased: pointsReleasedData,
  PointsHoldExpired: pointsHoldExpiredData,
  PointsExpired: pointsExpiredData,
  PointsTransferSent: pointsTransferSentData,
  PointsTransferReceived: pointsTransferReceivedData,
  PointsTransferRefunded: pointsTransferRefundedData,
  PointsDonated: pointsDonatedData,
  PoolAllocationReceived: poolAllocationReceivedData,
} as const;

export const DONATION_POOL_EVENT_DATA = {
  DonationReceived: donationReceivedData,
  ...POOL_OUTFLOW_EVENT_DATA,
  GroupDonationReceived: groupDonationReceivedData,
} as const;
