/** Events of a volunteer's stream about registration, service records and stars. */
import { z } from 'zod';
import { isCalendarDate } from '../age.js';
import {
  actorSchema,
  correctionReasonSchema,
  eventBase,
  idSchema,
  instantSchema,
  personal,
  phoneSchema,
  qualityGradeSchema,
  shortTextSchema,
} from './common.js';
import { RECORD_EVENT_DATA, recordSourceSchema } from './record-events.js';

export const volunteerRegisteredData = z.object({
  ...eventBase,
  volunteerId: idSchema,
  /** The unified volunteer number shown on certificates, assigned outside the domain. */
  volunteerNumber: idSchema,
  name: personal(shortTextSchema),
  /** Keyed hash of the national ID number; the number itself is never stored. Sealed like the name. */
  nationalIdHash: personal(z.string().regex(/^[0-9a-f]{32,128}$/)),
  /** Display form, e.g. `1301**********1234`. */
  nationalIdMasked: personal(z.string().min(8).max(18)),
  phone: personal(z.string().regex(/^\+?[0-9-]{5,20}$/)),
  community: shortTextSchema,
  /**
   * Local calendar date `YYYY-MM-DD` from the ID number, kept because every later service record
   * is checked against the minimum age. Personal data, like the name and phone. Absent only on
   * events written before the check existed.
   */
  birthDate: personal(
    z.string().refine(isCalendarDate, { message: 'expected a calendar date YYYY-MM-DD' }),
  ).optional(),
  /** Present when the volunteer registered below the age of majority: who consented. */
  guardian: z
    .object({
      name: personal(shortTextSchema),
      contact: personal(phoneSchema),
      consentGiven: z.literal(true),
    })
    .optional(),
  /**
   * The volunteer's own number on the national or city volunteer platform (中国志愿服务网), when
   * they were registered there first: an external id kept for exchanging records
   * (docs/interchange.md). Sealed, since together with the platform it identifies the person.
   */
  platformVolunteerNumber: personal(z.string().regex(/^[A-Za-z0-9-]{1,40}$/)).optional(),
  registeredAt: instantSchema,
  actor: actorSchema,
});

export const volunteerDeactivatedData = z.object({
  ...eventBase,
  volunteerId: idSchema,
  /** Free text that may name a person: sealed. */
  reason: personal(shortTextSchema),
  deactivatedAt: instantSchema,
  actor: actorSchema,
});

const serviceFields = {
  recordId: idSchema,
  activity: shortTextSchema,
  organisationId: idSchema,
  /** The social-work project (社工项目) of `organisationId` the service was part of; absent for none. */
  projectId: idSchema.optional(),
  startAt: instantSchema,
  endAt: instantSchema,
  /** Actual service only, not travel; whole minutes. */
  durationMinutes: z.number().int().positive(),
};

export const serviceHoursRecordedData = z.object({
  ...eventBase,
  volunteerId: idSchema,
  ...serviceFields,
  recordedAt: instantSchema,
  /** Who recorded it; with back-dating beyond the window this is an administrator. */
  actor: actorSchema,
  /** The administrator's reason for dating the service before the back-dating window. */
  backdatingReason: personal(z.string().min(1).max(500)).optional(),
  /** Present when the record was imported from another system (e.g. the platform's QR sign-in). */
  source: recordSourceSchema.optional(),
});

export const serviceHoursConfirmedData = z.object({
  ...eventBase,
  volunteerId: idSchema,
  recordId: idSchema,
  qualityGrade: qualityGradeSchema,
  confirmedAt: instantSchema,
  actor: actorSchema,
});

export const serviceHoursRejectedData = z.object({
  ...eventBase,
  volunteerId: idSchema,
  recordId: idSchema,
  reason: personal(shortTextSchema),
  rejectedAt: instantSchema,
  actor: actorSchema,
});

/**
 * The old record stops counting and a replacement with new values starts counting. The
 * replacement keeps the old record's status: a confirmed record's replacement is confirmed
 * with the same quality grade, and its points follow in a `PointsEarned`.
 */
export const serviceRecordCorrectedData = z.object({
  ...eventBase,
  volunteerId: idSchema,
  recordId: idSchema,
  replacementRecordId: idSchema,
  replacement: z.object({
    ...serviceFields,
    status: z.enum(['pending', 'confirmed']),
    qualityGrade: qualityGradeSchema.nullable(),
  }),
  reasonCode: correctionReasonSchema,
  note: personal(z.string().max(500)),
  correctedAt: instantSchema,
  actor: actorSchema,
});

export const serviceRecordVoidedData = z.object({
  ...eventBase,
  volunteerId: idSchema,
  recordId: idSchema,
  reasonCode: correctionReasonSchema,
  note: personal(z.string().max(500)),
  voidedAt: instantSchema,
  actor: actorSchema,
});

export const starRatingAppliedData = z.object({
  ...eventBase,
  volunteerId: idSchema,
  applicationId: idSchema,
  /** The level applied for: the highest the confirmed hours allow. */
  level: z.number().int().min(1).max(10),
  confirmedMinutes: z.number().int().nonnegative(),
  appliedAt: instantSchema,
  actor: actorSchema,
});

export const starRatingAwardedData = z.object({
  ...eventBase,
  volunteerId: idSchema,
  applicationId: idSchema,
  level: z.number().int().min(1).max(10),
  awardedAt: instantSchema,
  /** After the public-notice window; equal to awardedAt when the window is 0 days. */
  effectiveAt: instantSchema,
});

export const starAwardFlaggedForReviewData = z.object({
  ...eventBase,
  volunteerId: idSchema,
  level: z.number().int().min(1).max(10),
  confirmedMinutes: z.number().int().nonnegative(),
  thresholdMinutes: z.number().int().positive(),
  /** The record whose correction or void caused the drop. */
  recordId: idSchema,
  flaggedAt: instantSchema,
});

export const STAR_REVIEW_DECISIONS = ['keep', 'revoke'] as const;
export const starReviewDecisionSchema = z.enum(STAR_REVIEW_DECISIONS);
export type StarReviewDecision = z.infer<typeof starReviewDecisionSchema>;

/**
 * An administrator's answer to every award flagged for review: `keep` clears the flags, `revoke`
 * withdraws the flagged awards. `awardedLevelAfter` is the highest award still standing.
 */
export const starAwardReviewResolvedData = z.object({
  ...eventBase,
  volunteerId: idSchema,
  levels: z.array(z.number().int().min(1).max(10)).min(1),
  decision: starReviewDecisionSchema,
  /** Free text that may name a person: sealed. */
  reason: personal(shortTextSchema),
  awardedLevelAfter: z.number().int().min(0).max(10),
  resolvedAt: instantSchema,
  actor: actorSchema,
});

/** After fraudulent hours: no star application succeeds before `barredUntil`; awards stand. */
export const starCertificationBarredData = z.object({
  ...eventBase,
  volunteerId: idSchema,
  barredUntil: instantSchema,
  /** Free text that may name a person: sealed. */
  reason: personal(shortTextSchema),
  barredAt: instantSchema,
  actor: actorSchema,
});

/** Why a volunteer's personal data was erased (PIPL Art. 47). */
export const ERASURE_REASONS = [
  'consent_withdrawn',
  'retention_ended',
  'purpose_met',
  'service_stopped',
] as const;
export const erasureReasonSchema = z.enum(ERASURE_REASONS);
export type ErasureReason = z.infer<typeof erasureReasonSchema>;

/**
 * The volunteer's data key and duplicate-registration entry are destroyed right after this
 * event: every sealed field of the stream becomes unreadable, hours and points stay. Carries
 * no personal data.
 */
export const personalDataErasedData = z.object({
  ...eventBase,
  volunteerId: idSchema,
  reason: erasureReasonSchema,
  erasedAt: instantSchema,
  actor: actorSchema,
});

export const VOLUNTEER_EVENT_DATA = {
  VolunteerRegistered: volunteerRegisteredData,
  VolunteerDeactivated: volunteerDeactivatedData,
  ServiceHoursRecorded: serviceHoursRecordedData,
  ServiceHoursConfirmed: serviceHoursConfirmedData,
  ServiceHoursRejected: serviceHoursRejectedData,
  ServiceRecordCorrected: serviceRecordCorrectedData,
  ServiceRecordVoided: serviceRecordVoidedData,
  StarRatingApplied: starRatingAppliedData,
  StarRatingAwarded: starRatingAwardedData,
  StarAwardFlaggedForReview: starAwardFlaggedForReviewData,
  StarAwardReviewResolved: starAwardReviewResolvedData,
  StarCertificationBarred: starCertificationBarredData,
  PersonalDataErased: personalDataErasedData,
  ...RECORD_EVENT_DATA,
} as const;
