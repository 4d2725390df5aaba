/** Commands on a volunteer's stream: registration, service records, stars. */
import { z } from 'zod';
import { disputeKindSchema, disputeOutcomeSchema } from '../events/dispute-events.js';
import { erasureReasonSchema, starReviewDecisionSchema } from '../events/volunteer-events.js';
import { calendarDateSchema, recordSourceSchema, TRAINING_MINUTES_MAX } from '../events/record-events.js';
import {
  actorSchema,
  correctionReasonSchema,
  idempotencyKeySchema,
  idSchema,
  instantSchema,
  wholeMinuteInstantSchema,
  phoneSchema,
  qualityGradeSchema,
} from '../events/common.js';
import { freeTextSchema, nameFieldSchema, noteFieldSchema, textFieldSchema } from '../text.js';

/** Fields every command carries. */
export const commandBase = { idempotencyKey: idempotencyKeySchema, actor: actorSchema };

/**
 * The guardian of a volunteer under `rules.adultAgeYears`, who must consent to the registration.
 * `consentGiven` is the desk's statement that it holds the guardian's consent; false is refused.
 */
export const guardianSchema = z.strictObject({
  name: nameFieldSchema,
  /** How to reach the guardian: a telephone number, like the volunteer's own. */
  contact: phoneSchema,
  consentGiven: z.boolean(),
});

export const registerVolunteerSchema = z.strictObject({
  type: z.literal('RegisterVolunteer'),
  ...commandBase,
  name: nameFieldSchema,
  /** Checked (format, check digit, embedded birth date) by the decider; only its keyed hash and masked form are kept. */
  nationalIdNumber: z.string().min(1).max(40),
  phone: phoneSchema,
  community: textFieldSchema,
  /** Required below `rules.adultAgeYears`; not recorded for an adult. */
  guardian: guardianSchema.optional(),
  /** The volunteer's number on the national or city platform, when registered there first. */
  platformVolunteerNumber: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,40}$/, 'expected 1-40 letters, digits and dashes')
    .optional(),
});

export const deactivateVolunteerSchema = z.strictObject({
  type: z.literal('DeactivateVolunteer'),
  ...commandBase,
  volunteerId: idSchema,
  reason: textFieldSchema,
});

/**
 * Erases a volunteer's personal data (PIPL Art. 47): an administrator's command with a reason.
 * The application destroys the volunteer's data key once the event is stored.
 */
export const erasePersonalDataSchema = z.strictObject({
  type: z.literal('ErasePersonalData'),
  ...commandBase,
  volunteerId: idSchema,
  reason: erasureReasonSchema,
});

/** Why service is dated before the normal back-dating window: 1–500 characters, recorded in the event. */
export const backdatingReasonSchema = freeTextSchema({ lengthMax: 500 });

export const recordServiceHoursSchema = z.strictObject({
  type: z.literal('RecordServiceHours'),
  ...commandBase,
  volunteerId: idSchema,
  activity: textFieldSchema,
  organisationId: idSchema,
  /** Optional: a project of `organisationId` (checked against the project's stream). */
  projectId: idSchema.optional(),
  /** On a whole minute (seconds and milliseconds 0): hours are counted in minutes. */
  startAt: wholeMinuteInstantSchema,
  endAt: wholeMinuteInstantSchema,
  /** Required when the start is older than `rules.backdatingDaysMax` (an administrator's override). */
  backdatingReason: backdatingReasonSchema.optional(),
});

export const confirmServiceHoursSchema = z.strictObject({
  type: z.literal('ConfirmServiceHours'),
  ...commandBase,
  volunteerId: idSchema,
  recordId: idSchema,
  qualityGrade: qualityGradeSchema.default('standard'),
});

export const rejectServiceHoursSchema = z.strictObject({
  type: z.literal('RejectServiceHours'),
  ...commandBase,
  volunteerId: idSchema,
  recordId: idSchema,
  reason: textFieldSchema,
});

export const correctServiceRecordSchema = z.strictObject({
  type: z.literal('CorrectServiceRecord'),
  ...commandBase,
  volunteerId: idSchema,
  recordId: idSchema,
  reasonCode: correctionReasonSchema,
  /** Also the reason for an override when the start is older than `rules.backdatingDaysMax`. */
  note: noteFieldSchema.default(''),
  /** New values; an omitted field keeps the old record's value. */
  activity: textFieldSchema.optional(),
  organisationId: idSchema.optional(),
  startAt: wholeMinuteInstantSchema.optional(),
  endAt: wholeMinuteInstantSchema.optional(),
});

export const voidServiceRecordSchema = z.strictObject({
  type: z.literal('VoidServiceRecord'),
  ...commandBase,
  volunteerId: idSchema,
  recordId: idSchema,
  reasonCode: correctionReasonSchema,
  note: noteFieldSchema.default(''),
});

export const applyForStarRatingSchema = z.strictObject({
  type: z.literal('ApplyForStarRating'),
  ...commandBase,
  volunteerId: idSchema,
});

/** An administrator resolves every award flagged for review at once: keep or revoke, with a reason. */
export const resolveStarAwardReviewSchema = z.strictObject({
  type: z.literal('ResolveStarAwardReview'),
  ...commandBase,
  volunteerId: idSchema,
  decision: starReviewDecisionSchema,
  reason: textFieldSchema,
});

/** After fraudulent hours an administrator bars star applications until `until` (1–3 years on). */
export const barStarCertificationSchema = z.strictObject({
  type: z.literal('BarStarCertification'),
  ...commandBase,
  volunteerId: idSchema,
  until: instantSchema,
  reason: textFieldSchema,
});

/** Who issues a certificate, under the text rules: the issuing side's names must be names. */
export const certificateIssuerCommandSchema = z.strictObject({
  organisationName: nameFieldSchema,
  personInCharge: nameFieldSchema,
  handler: nameFieldSchema,
  contact: textFieldSchema,
});

/**
 * A service certificate, issued free on the volunteer's request by the desk of their community.
 * It covers the confirmed records whose service starts in [serviceFrom, serviceUntil) — all of
 * them when both are omitted.
 */
export const issueServiceCertificateSchema = z.strictObject({
  type: z.literal('IssueServiceCertificate'),
  ...commandBase,
  volunteerId: idSchema,
  issuer: certificateIssuerCommandSchema,
  serviceFrom: instantSchema.optional(),
  serviceUntil: instantSchema.optional(),
});

/**
 * A volunteer's report that a record is wrong, filed by the volunteer (once the volunteer role
 * exists), the desk of their community on their behalf, or an administrator. Missing hours name
 * the organisation that ran the activity; the other kinds name the record.
 */
export const fileDisputeSchema = z.strictObject({
  type: z.literal('FileDispute'),
  ...commandBase,
  volunteerId: idSchema,
  kind: disputeKindSchema,
  recordId: idSchema.optional(),
  organisationId: idSchema.optional(),
  text: freeTextSchema({ lengthMax: 2000 }),
});

/**
 * The organising organisation's answer. `corrected` amends the disputed record with the given
 * times and activity (or, for missing hours, records them as a new pending record); `voided`
 * voids the record; `dismissed` changes nothing. The reason is shown to the volunteer.
 */
export const resolveDisputeSchema = z.strictObject({
  type: z.literal('ResolveDispute'),
  ...commandBase,
  volunteerId: idSchema,
  disputeId: idSchema,
  outcome: disputeOutcomeSchema,
  reason: textFieldSchema,
  activity: textFieldSchema.optional(),
  startAt: wholeMinuteInstantSchema.optional(),
  endAt: wholeMinuteInstantSchema.optional(),
});

/**
 * Service recorded elsewhere (e.g. the platform's QR sign-in) and already confirmed there, brought
 * in by an administrator's import: decided as `RecordServiceHours` then `ConfirmServiceHours`, with
 * every intake rule, and appended as one unit so that a record never lands half imported.
 */
export const importServiceRecordSchema = z.strictObject({
  type: z.literal('ImportServiceRecord'),
  ...commandBase,
  volunteerId: idSchema,
  activity: textFieldSchema,
  organisationId: idSchema,
  startAt: wholeMinuteInstantSchema,
  endAt: wholeMinuteInstantSchema,
  qualityGrade: qualityGradeSchema.default('standard'),
  source: recordSourceSchema,
});

/** A training the volunteer completed (培训), recorded by their desk or an administrator. */
export const recordTrainingSchema = z.strictObject({
  type: z.literal('RecordTraining'),
  ...commandBase,
  volunteerId: idSchema,
  title: textFieldSchema,
  provider: textFieldSchema,
  completedOn: calendarDateSchema,
  durationMinutes: z.number().int().positive().max(TRAINING_MINUTES_MAX),
  source: recordSourceSchema.optional(),
});

/** A commendation the volunteer received (表彰奖励), recorded by their desk or an administrator. */
export const recordCommendationSchema = z.strictObject({
  type: z.literal('RecordCommendation'),
  ...commandBase,
  volunteerId: idSchema,
  title: textFieldSchema,
  awardedBy: textFieldSchema,
  awardedOn: calendarDateSchema,
  source: recordSourceSchema.optional(),
});

export const VOLUNTEER_COMMAND_SCHEMAS = [
  registerVolunteerSchema,
  deactivateVolunteerSchema,
  recordServiceHoursSchema,
  confirmServiceHoursSchema,
  rejectServiceHoursSchema,
  correctServiceRecordSchema,
  voidServiceRecordSchema,
  applyForStarRatingSchema,
  resolveStarAwardReviewSchema,
  barStarCertificationSchema,
  issueServiceCertificateSchema,
  erasePersonalDataSchema,
  fileDisputeSchema,
  resolveDisputeSchema,
  importServiceRecordSchema,
  recordTrainingSchema,
  recordCommendationSchema,
] as const;
