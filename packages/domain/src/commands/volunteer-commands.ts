/** Commands on a volunteer's stream: registration, service records, stars. */
import { z } from 'zod';
import { certificateIssuerSchema } from '../events/certificate-events.js';
import {
  actorSchema,
  correctionReasonSchema,
  idempotencyKeySchema,
  idSchema,
  instantSchema,
  qualityGradeSchema,
  shortTextSchema,
} from '../events/common.js';

/** Fields every command carries. */
export const commandBase = { idempotencyKey: idempotencyKeySchema, actor: actorSchema };

export const registerVolunteerSchema = z.strictObject({
  type: z.literal('RegisterVolunteer'),
  ...commandBase,
  name: shortTextSchema,
  /** Checked (format and check digit) by the decider; only its keyed hash and masked form are kept. */
  nationalIdNumber: z.string().min(1).max(40),
  phone: z.string().regex(/^\+?[0-9-]{5,20}$/),
  community: shortTextSchema,
});

export const deactivateVolunteerSchema = z.strictObject({
  type: z.literal('DeactivateVolunteer'),
  ...commandBase,
  volunteerId: idSchema,
  reason: shortTextSchema,
});

export const recordServiceHoursSchema = z.strictObject({
  type: z.literal('RecordServiceHours'),
  ...commandBase,
  volunteerId: idSchema,
  activity: shortTextSchema,
  organisationId: idSchema,
  /** Truncated to the whole minute: hours are counted in minutes. */
  startAt: instantSchema,
  endAt: instantSchema,
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
  reason: shortTextSchema,
});

export const correctServiceRecordSchema = z.strictObject({
  type: z.literal('CorrectServiceRecord'),
  ...commandBase,
  volunteerId: idSchema,
  recordId: idSchema,
  reasonCode: correctionReasonSchema,
  note: z.string().max(500).default(''),
  /** New values; an omitted field keeps the old record's value. */
  activity: shortTextSchema.optional(),
  organisationId: idSchema.optional(),
  startAt: instantSchema.optional(),
  endAt: instantSchema.optional(),
});

export const voidServiceRecordSchema = z.strictObject({
  type: z.literal('VoidServiceRecord'),
  ...commandBase,
  volunteerId: idSchema,
  recordId: idSchema,
  reasonCode: correctionReasonSchema,
  note: z.string().max(500).default(''),
});

export const applyForStarRatingSchema = z.strictObject({
  type: z.literal('ApplyForStarRating'),
  ...commandBase,
  volunteerId: idSchema,
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
  issuer: certificateIssuerSchema,
  serviceFrom: instantSchema.optional(),
  serviceUntil: instantSchema.optional(),
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
  issueServiceCertificateSchema,
] as const;
