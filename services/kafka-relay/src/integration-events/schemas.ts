/**
 * The public integration events, version 1: what partners and the city's volunteer platform may
 * rely on. They are a contract of their own, deliberately not the ledger's domain events: fields
 * are chosen for consumers, identity data (name, national ID in any form, phone, volunteer number)
 * never appears, and every object is strict so that a mapping bug cannot leak an extra field.
 *
 * Changing a schema's meaning needs a new schema version and a new topic; never edit v1 in place.
 * `docs/events.md` is generated from this file (`pnpm --filter @timebank/kafka-relay docs:events`).
 */
import { z } from 'zod';

/** Same syntax as the ledger's ids: letters, digits and `_ . : -`, at most 100 characters. */
const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/);
/** ISO-8601 UTC instant with milliseconds, e.g. `2026-03-01T08:30:00.000Z`. */
const instant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
/** Points in integer hundredths (1 point = 100 centipoints), so sums never drift. */
const centipoints = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const qualityGrade = z.enum(['poor', 'standard', 'good', 'excellent']);
const minutes = z
  .number()
  .int()
  .positive()
  .max(24 * 60);

export const volunteerRegisteredV1 = z.strictObject({
  volunteerId: id,
  /** The registration desk's community: enough for the city's statistics, not an identity. */
  community: z.string().min(1).max(200),
  registeredAt: instant,
});

/**
 * A volunteer's personal data was erased in the ledger (their data key destroyed). The id is all
 * it carries: a consumer that keeps anything about this volunteer erases it too.
 */
export const volunteerDataErasedV1 = z.strictObject({
  volunteerId: id,
  erasedAt: instant,
});

export const starRatingAwardedV1 = z.strictObject({
  volunteerId: id,
  /** 1 to 5 stars under the default thresholds (100 / 300 / 600 / 1000 / 1500 hours). */
  level: z.number().int().min(1).max(10),
  awardedAt: instant,
  /** When the award takes effect, after the public-notice window; equal to awardedAt without one. */
  effectiveAt: instant,
});

export const serviceHoursConfirmedV1 = z.strictObject({
  volunteerId: id,
  recordId: id,
  organisationId: id,
  startAt: instant,
  endAt: instant,
  /** Actual service only, not travel. */
  durationMinutes: minutes,
  qualityGrade,
  confirmedAt: instant,
});

export const serviceRecordCorrectedV1 = z.strictObject({
  volunteerId: id,
  /** The record that stops counting. */
  recordId: id,
  /** The record that counts instead, or null when the record was voided. */
  replacementRecordId: id.nullable(),
  /** Minutes of the replacement, or null when voided. */
  durationMinutes: minutes.nullable(),
  reasonCode: z.enum([
    'wrong_time',
    'wrong_duration',
    'wrong_activity',
    'wrong_organisation',
    'duplicate_record',
    'fraudulent_record',
    'reported_by_volunteer',
    'other',
  ]),
  correctedAt: instant,
});

export const pointsEarnedV1 = z.strictObject({
  volunteerId: id,
  recordId: id,
  centipoints,
  policyVersion: z.number().int().nonnegative(),
  earnedAt: instant,
  expiresAt: instant.nullable(),
});

const holdFields = { volunteerId: id, holdId: id, partnerId: id, centipoints };

export const pointsHeldV1 = z.strictObject({
  ...holdFields,
  offerId: id,
  heldAt: instant,
  expiresAt: instant,
  /**
   * Which consent of the volunteer authorised the hold: a one-time spend code or a standing
   * mandate (`none`: a hold from before consent was required). Never the code or its hash.
   */
  consentForm: z.enum(['spendCode', 'mandate', 'none']),
  /** 低偿: cash co-payment in fen on top of the points. Optional, added later: absent means 0. */
  cashCopayFen: z.number().int().nonnegative().optional(),
});
export const pointsCapturedV1 = z.strictObject({
  ...holdFields,
  capturedAt: instant,
  /** 低偿: cash co-payment in fen the partner collected with the points. Optional, added later: absent means 0. */
  cashCopayFen: z.number().int().nonnegative().optional(),
});
export const pointsReleasedV1 = z.strictObject({ ...holdFields, releasedAt: instant });
/** A hold neither captured nor released before its timeout: the points are available again. */
export const pointsHoldExpiredV1 = z.strictObject({ ...holdFields, expiredAt: instant });
/** Earned points that reached their expiry date under the points policy. */
export const pointsExpiredV1 = z.strictObject({ volunteerId: id, centipoints, expiredAt: instant });

/** Points given by one volunteer to another arrived; keyed by the receiving volunteer. */
export const transferCompletedV1 = z.strictObject({
  volunteerId: id,
  transferId: id,
  fromVolunteerId: id,
  centipoints,
  completedAt: instant,
});
