/**
 * Spend consent: the volunteer's say before any point is spent. A spend code lives in its own
 * `spend-code-<hash>` stream, named by a keyed hash of the code (never the code itself); a
 * standing mandate lives on the volunteer's stream, where holds are decided against it.
 */
import { z } from 'zod';
import { actorSchema, centipointsSchema, eventBase, idSchema, instantSchema } from './common.js';

/** Keyed hash (HMAC-SHA-256, lower-case hex) of a spend code; the code itself is never stored. */
export const spendCodeHashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits');

/** Which consent authorised a hold; recorded in `PointsHeld` so an auditor can show it per point spent. */
export const consentSchema = z.discriminatedUnion('form', [
  z.object({ form: z.literal('spendCode'), codeHash: spendCodeHashSchema }),
  z.object({ form: z.literal('mandate') }),
]);
export type Consent = z.infer<typeof consentSchema>;
export type ConsentForm = Consent['form'];

export const spendCodeIssuedData = z.object({
  ...eventBase,
  codeHash: spendCodeHashSchema,
  volunteerId: idSchema,
  /** The only partner that may use the code, or null for any partner. */
  partnerId: idSchema.nullable(),
  /** The most one hold may take with the code, or null for no cap beyond the balance. */
  centipointsMax: centipointsSchema.nullable(),
  issuedAt: instantSchema,
  expiresAt: instantSchema,
  actor: actorSchema,
});

export const spendMandateGrantedData = z.object({
  ...eventBase,
  volunteerId: idSchema,
  partnerId: idSchema,
  /** Most the partner may hold per local calendar month (`rules.localTimeOffsetMinutes`). */
  monthlyCapCentipoints: centipointsSchema,
  /** When the mandate lapses, or null for never (until revoked). */
  endsAt: instantSchema.nullable(),
  grantedAt: instantSchema,
  actor: actorSchema,
});

export const spendMandateRevokedData = z.object({
  ...eventBase,
  volunteerId: idSchema,
  partnerId: idSchema,
  revokedAt: instantSchema,
  actor: actorSchema,
});

export const SPEND_CODE_EVENT_DATA = {
  SpendCodeIssued: spendCodeIssuedData,
} as const;

export const MANDATE_EVENT_DATA = {
  SpendMandateGranted: spendMandateGrantedData,
  SpendMandateRevoked: spendMandateRevokedData,
} as const;
