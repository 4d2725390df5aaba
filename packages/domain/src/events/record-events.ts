/**
 * Record kinds beyond service hours, from the five categories of a volunteer's record named by the
 * 2021 rules on volunteer records (民政部令第67号 Art. 4): training (培训) and commendations
 * (表彰奖励). Both live on the volunteer's stream, so a certificate folded from it can show them.
 */
import { z } from 'zod';
import { isCalendarDate } from '../age.js';
import { actorSchema, eventBase, idSchema, instantSchema, shortTextSchema } from './common.js';

/** Where an imported record came from: the system and that system's own record id. */
export const RECORD_SOURCE_SYSTEMS = ['national_platform', 'city_platform', 'other'] as const;
export const recordSourceSchema = z.object({
  system: z.enum(RECORD_SOURCE_SYSTEMS),
  recordId: idSchema,
});
export type RecordSource = z.infer<typeof recordSourceSchema>;

/** A local calendar date `YYYY-MM-DD`. */
export const calendarDateSchema = z
  .string()
  .refine(isCalendarDate, { message: 'expected a calendar date YYYY-MM-DD' });

/**
 * Training hours are not service hours (they never count toward stars or points): capped at
 * 10,000 minutes (about 167 h) per record, far above a multi-day course, to catch unit mistakes.
 */
export const TRAINING_MINUTES_MAX = 10_000;

export const trainingRecordedData = z.object({
  ...eventBase,
  volunteerId: idSchema,
  trainingId: idSchema,
  title: shortTextSchema,
  /** Who gave the training: an organisation's name, as printed. */
  provider: shortTextSchema,
  completedOn: calendarDateSchema,
  durationMinutes: z.number().int().positive().max(TRAINING_MINUTES_MAX),
  source: recordSourceSchema.optional(),
  recordedAt: instantSchema,
  actor: actorSchema,
});

export const commendationRecordedData = z.object({
  ...eventBase,
  volunteerId: idSchema,
  commendationId: idSchema,
  /** e.g. 优秀志愿者 */
  title: shortTextSchema,
  /** Who awarded it, as printed (e.g. 石家庄市民政局). */
  awardedBy: shortTextSchema,
  awardedOn: calendarDateSchema,
  source: recordSourceSchema.optional(),
  recordedAt: instantSchema,
  actor: actorSchema,
});

export const RECORD_EVENT_DATA = {
  TrainingRecorded: trainingRecordedData,
  CommendationRecorded: commendationRecordedData,
} as const;
