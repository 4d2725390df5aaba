/** Commands that move points: holds, redemptions, expiry, transfers, donations. */
import { z } from 'zod';
import { idSchema, positiveCentipointsSchema } from '../events/common.js';
import { spendCodeHashSchema } from '../events/consent-events.js';
import { freeTextSchema } from '../text.js';
import { commandBase } from './volunteer-commands.js';

/**
 * The consent a spend presents: the keyed hash of a spend code the volunteer gave the partner,
 * or, when omitted, the volunteer's standing mandate to the partner.
 */
const spendConsent = { spendCodeHash: spendCodeHashSchema.optional() };

export const holdPointsSchema = z.strictObject({
  type: z.literal('HoldPoints'),
  ...commandBase,
  volunteerId: idSchema,
  partnerId: idSchema,
  offerId: idSchema,
  centipoints: positiveCentipointsSchema,
  /** Omitted: `rules.holdTimeoutSecondsDefault`. */
  holdTimeoutSeconds: z.number().int().positive().optional(),
  ...spendConsent,
});

const holdReference = { ...commandBase, volunteerId: idSchema, holdId: idSchema, partnerId: idSchema };

export const capturePointsSchema = z.strictObject({ type: z.literal('CapturePoints'), ...holdReference });
export const releasePointsSchema = z.strictObject({ type: z.literal('ReleasePoints'), ...holdReference });
/** Sent by the clock (a scheduler) once a hold's timeout has passed. */
export const expireHoldSchema = z.strictObject({
  type: z.literal('ExpireHold'),
  ...commandBase,
  volunteerId: idSchema,
  holdId: idSchema,
});

/** A plain redemption: hold and capture at once. */
export const redeemPointsSchema = z.strictObject({
  type: z.literal('RedeemPoints'),
  ...commandBase,
  volunteerId: idSchema,
  partnerId: idSchema,
  offerId: idSchema,
  centipoints: positiveCentipointsSchema,
  ...spendConsent,
});

/**
 * Sent by the clock: expires every point whose expiry has passed. With `recordId` (the clock's
 * form) it expires what is due at that lot's expiry date and dates the expiry there, however late
 * the command comes; without it, what is due now, dated now.
 */
export const expirePointsSchema = z.strictObject({
  type: z.literal('ExpirePoints'),
  ...commandBase,
  volunteerId: idSchema,
  recordId: idSchema.optional(),
});

export const transferPointsSchema = z.strictObject({
  type: z.literal('TransferPoints'),
  ...commandBase,
  volunteerId: idSchema,
  toVolunteerId: idSchema,
  centipoints: positiveCentipointsSchema,
});

/** The credit side of a transfer, issued by `react` on `PointsTransferSent`; targets the receiver. */
export const receivePointsTransferSchema = z.strictObject({
  type: z.literal('ReceivePointsTransfer'),
  ...commandBase,
  volunteerId: idSchema,
  transferId: idSchema,
  fromVolunteerId: idSchema,
  centipoints: positiveCentipointsSchema,
});

/** Issued when the receiver could not be credited; targets the sender. */
export const refundPointsTransferSchema = z.strictObject({
  type: z.literal('RefundPointsTransfer'),
  ...commandBase,
  volunteerId: idSchema,
  transferId: idSchema,
  reasonCode: freeTextSchema({ lengthMax: 100 }),
});

export const donatePointsSchema = z.strictObject({
  type: z.literal('DonatePoints'),
  ...commandBase,
  volunteerId: idSchema,
  centipoints: positiveCentipointsSchema,
  /** `offered`: donate earnings above the balance cap; `available`: donate spendable points. */
  source: z.enum(['available', 'offered']).default('available'),
});

/** The credit side of a donation, issued by `react` on `PointsDonated`; targets the donation pool. */
export const receiveDonationSchema = z.strictObject({
  type: z.literal('ReceiveDonation'),
  ...commandBase,
  donationId: idSchema,
  fromVolunteerId: idSchema,
  centipoints: positiveCentipointsSchema,
});

export const POINTS_COMMAND_SCHEMAS = [
  holdPointsSchema,
  capturePointsSchema,
  releasePointsSchema,
  expireHoldSchema,
  redeemPointsSchema,
  expirePointsSchema,
  transferPointsSchema,
  receivePointsTransferSchema,
  refundPointsTransferSchema,
  donatePointsSchema,
  receiveDonationSchema,
] as const;
