/** Commands that give or withdraw a volunteer's consent to spend their points. */
import { z } from 'zod';
import { spendCodeHashSchema } from '../events/consent-events.js';
import { idSchema, instantSchema, positiveCentipointsSchema } from '../events/common.js';
import { commandBase } from './volunteer-commands.js';

/**
 * Decided on the code's own stream, `spend-code-<codeHash>`. The caller draws the code and
 * hashes it; the domain sees only the hash, so no stored event or log can give the code away.
 */
export const issueSpendCodeSchema = z.strictObject({
  type: z.literal('IssueSpendCode'),
  ...commandBase,
  volunteerId: idSchema,
  codeHash: spendCodeHashSchema,
  /** Bind the code to one partner; omitted: any partner. */
  partnerId: idSchema.optional(),
  /** Cap one hold made with the code; omitted: no cap beyond the balance. */
  centipointsMax: positiveCentipointsSchema.optional(),
});

export const grantSpendMandateSchema = z.strictObject({
  type: z.literal('GrantSpendMandate'),
  ...commandBase,
  volunteerId: idSchema,
  partnerId: idSchema,
  monthlyCapCentipoints: positiveCentipointsSchema,
  /** Omitted: the mandate runs until revoked. */
  endsAt: instantSchema.optional(),
});

export const revokeSpendMandateSchema = z.strictObject({
  type: z.literal('RevokeSpendMandate'),
  ...commandBase,
  volunteerId: idSchema,
  partnerId: idSchema,
});

export const CONSENT_COMMAND_SCHEMAS = [
  issueSpendCodeSchema,
  grantSpendMandateSchema,
  revokeSpendMandateSchema,
] as const;
