/**
 * Disputes: a volunteer's report that a record is wrong, and the organising organisation's
 * answer. Both live in the volunteer's stream, so the volunteer's history shows the report and
 * its outcome beside the correction or void it caused.
 */
import { z } from 'zod';
import { actorSchema, eventBase, idSchema, instantSchema, personal, shortTextSchema } from './common.js';

/** What the volunteer says is wrong. */
export const DISPUTE_KINDS = ['missing_hours', 'wrong_times', 'not_mine'] as const;
export const disputeKindSchema = z.enum(DISPUTE_KINDS);
export type DisputeKind = z.infer<typeof disputeKindSchema>;

/** How the organisation resolved it: the record corrected (or the missing hours recorded), voided, or the report dismissed. */
export const DISPUTE_OUTCOMES = ['corrected', 'voided', 'dismissed'] as const;
export const disputeOutcomeSchema = z.enum(DISPUTE_OUTCOMES);
export type DisputeOutcome = z.infer<typeof disputeOutcomeSchema>;

export const disputeFiledData = z.object({
  ...eventBase,
  volunteerId: idSchema,
  disputeId: idSchema,
  kind: disputeKindSchema,
  /** The organisation whose queue the dispute lands in: the record's, or the one named for missing hours. */
  organisationId: idSchema,
  /** The disputed record; absent for missing hours. */
  recordId: idSchema.optional(),
  /** The volunteer's own words: may name people, so sealed. */
  text: personal(z.string().min(1).max(2000)),
  filedAt: instantSchema,
  actor: actorSchema,
});

export const disputeResolvedData = z.object({
  ...eventBase,
  volunteerId: idSchema,
  disputeId: idSchema,
  outcome: disputeOutcomeSchema,
  /** The organisation's reason, shown to the volunteer. */
  reason: personal(shortTextSchema),
  /** The record the correction created: the replacement, or the newly recorded missing hours. */
  resultingRecordId: idSchema.optional(),
  resolvedAt: instantSchema,
  actor: actorSchema,
});

export const DISPUTE_EVENT_DATA = {
  DisputeFiled: disputeFiledData,
  DisputeResolved: disputeResolvedData,
} as const;
