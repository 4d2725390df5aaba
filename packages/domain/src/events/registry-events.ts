/** Events of the partner, organisation and points-policy streams. */
import { z } from 'zod';
import {
  actorSchema,
  eventBase,
  idSchema,
  instantSchema,
  positiveCentipointsSchema,
  qualityGradeSchema,
  shortTextSchema,
} from './common.js';

export const partnerRegisteredData = z.object({
  ...eventBase,
  partnerId: idSchema,
  name: shortTextSchema,
  community: shortTextSchema,
  registeredAt: instantSchema,
  actor: actorSchema,
});

/**
 * Largest cash co-payment an offer may ask, in fen: 100,000 (¥1,000). Our choice, not from the
 * policy texts: a 低偿 (low-cost) service asks a small part of its price in cash; anything above
 * this is a typing error (yuan entered as fen ×100), not a low-cost offer.
 */
export const OFFER_CASH_COPAY_FEN_MAX = 100_000;
/** A cash amount in fen (1/100 yuan): a whole number from 0 to `OFFER_CASH_COPAY_FEN_MAX`. */
export const cashCopayFenSchema = z.number().int().nonnegative().max(OFFER_CASH_COPAY_FEN_MAX);

export const partnerOfferPublishedData = z.object({
  ...eventBase,
  partnerId: idSchema,
  offerId: idSchema,
  title: shortTextSchema,
  priceCentipoints: positiveCentipointsSchema,
  /** 低偿: cash the volunteer pays the partner on top of the points, in fen; absent on offers before it existed (= 0). */
  cashCopayFen: cashCopayFenSchema.optional(),
  publishedAt: instantSchema,
  actor: actorSchema,
});

export const partnerSuspendedData = z.object({
  ...eventBase,
  partnerId: idSchema,
  reason: shortTextSchema,
  suspendedAt: instantSchema,
  actor: actorSchema,
});

export const partnerReinstatedData = z.object({
  ...eventBase,
  partnerId: idSchema,
  reinstatedAt: instantSchema,
  actor: actorSchema,
});

export const organisationRegisteredData = z.object({
  ...eventBase,
  organisationId: idSchema,
  name: shortTextSchema,
  community: shortTextSchema,
  registeredAt: instantSchema,
  actor: actorSchema,
});

export const organisationSuspendedData = z.object({
  ...eventBase,
  organisationId: idSchema,
  reason: shortTextSchema,
  suspendedAt: instantSchema,
  actor: actorSchema,
});

export const organisationReinstatedData = z.object({
  ...eventBase,
  organisationId: idSchema,
  reinstatedAt: instantSchema,
  actor: actorSchema,
});

const nonNegativeInteger = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** The knobs of one points-policy version; see `PointsPolicyTerms` in rules.ts for meaning and units. */
export const pointsPolicyTermsSchema = z.object({
  ratePerHourCentipoints: nonNegativeInteger,
  qualityMultiplierPercent: z.record(qualityGradeSchema, nonNegativeInteger),
  balanceCapCentipoints: nonNegativeInteger,
  dailyEarningCapCentipoints: nonNegativeInteger.nullable(),
  minStarToRedeem: z.number().int().min(0).max(10),
  expiryDays: nonNegativeInteger.nullable(),
});

export const pointsPolicyChangedData = z.object({
  ...eventBase,
  /** 1, 2, 3, …; version 0 is the configured initial policy. */
  version: z.number().int().positive(),
  /** Service starting at or after this instant earns under these terms. */
  effectiveFrom: instantSchema,
  terms: pointsPolicyTermsSchema,
  changedAt: instantSchema,
  actor: actorSchema,
});

/**
 * A version published by mistake (a cap of 0, a date in 2099), withdrawn before it took effect.
 * It then applies to nothing and no longer blocks later versions; its number is never reused.
 */
export const pointsPolicyVersionWithdrawnData = z.object({
  ...eventBase,
  /** The withdrawn version: 1, 2, 3, …; version 0, the configured initial policy, cannot be withdrawn. */
  version: z.number().int().positive(),
  reason: shortTextSchema,
  withdrawnAt: instantSchema,
  actor: actorSchema,
});

export const PARTNER_EVENT_DATA = {
  PartnerRegistered: partnerRegisteredData,
  PartnerOfferPublished: partnerOfferPublishedData,
  PartnerSuspended: partnerSuspendedData,
  PartnerReinstated: partnerReinstatedData,
} as const;

export const ORGANISATION_EVENT_DATA = {
  OrganisationRegistered: organisationRegisteredData,
  OrganisationSuspended: organisationSuspendedData,
  OrganisationReinstated: organisationReinstatedData,
} as const;
export const POLICY_EVENT_DATA = {
  PointsPolicyChanged: pointsPolicyChangedData,
  PointsPolicyVersionWithdrawn: pointsPolicyVersionWithdrawnData,
} as const;
