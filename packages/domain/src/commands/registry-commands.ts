/** Commands of administrators: partners, organisations and the points policy. */
import { z } from 'zod';
import { idSchema, instantSchema, positiveCentipointsSchema } from '../events/common.js';
import { pointsPolicyTermsSchema } from '../events/registry-events.js';
import { nameFieldSchema, textFieldSchema } from '../text.js';
import { commandBase } from './volunteer-commands.js';

export const registerPartnerSchema = z.strictObject({
  type: z.literal('RegisterPartner'),
  ...commandBase,
  partnerId: idSchema,
  name: nameFieldSchema,
  community: textFieldSchema,
});

export const publishPartnerOfferSchema = z.strictObject({
  type: z.literal('PublishPartnerOffer'),
  ...commandBase,
  partnerId: idSchema,
  offerId: idSchema,
  title: textFieldSchema,
  priceCentipoints: positiveCentipointsSchema,
  /**
   * Cash co-payment in fen. Any number passes the shape check so that the decider can answer a
   * bad amount with its own code, OFFER_CASH_COPAY_INVALID, naming the limit.
   */
  cashCopayFen: z.number().optional(),
});

export const suspendPartnerSchema = z.strictObject({
  type: z.literal('SuspendPartner'),
  ...commandBase,
  partnerId: idSchema,
  reason: textFieldSchema,
});

export const reinstatePartnerSchema = z.strictObject({
  type: z.literal('ReinstatePartner'),
  ...commandBase,
  partnerId: idSchema,
});

export const registerOrganisationSchema = z.strictObject({
  type: z.literal('RegisterOrganisation'),
  ...commandBase,
  organisationId: idSchema,
  name: nameFieldSchema,
  community: textFieldSchema,
});

export const suspendOrganisationSchema = z.strictObject({
  type: z.literal('SuspendOrganisation'),
  ...commandBase,
  organisationId: idSchema,
  reason: textFieldSchema,
});

export const reinstateOrganisationSchema = z.strictObject({
  type: z.literal('ReinstateOrganisation'),
  ...commandBase,
  organisationId: idSchema,
});

export const changePointsPolicySchema = z.strictObject({
  type: z.literal('ChangePointsPolicy'),
  ...commandBase,
  effectiveFrom: instantSchema,
  terms: pointsPolicyTermsSchema,
});

/**
 * Withdraws a points-policy version that has not taken effect yet. Any whole number passes the
 * shape check so that the decider answers version 0 and unknown versions with their own codes.
 */
export const withdrawPointsPolicyVersionSchema = z.strictObject({
  type: z.literal('WithdrawPointsPolicyVersion'),
  ...commandBase,
  version: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  reason: textFieldSchema,
});

export const REGISTRY_COMMAND_SCHEMAS = [
  registerPartnerSchema,
  publishPartnerOfferSchema,
  suspendPartnerSchema,
  reinstatePartnerSchema,
  registerOrganisationSchema,
  suspendOrganisationSchema,
  reinstateOrganisationSchema,
  changePointsPolicySchema,
  withdrawPointsPolicyVersionSchema,
] as const;
