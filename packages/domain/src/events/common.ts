/** Building blocks shared by event and command schemas. Event data is plain JSON only. */
import { z } from 'zod';
import { ACCOUNT_PATTERN } from '../accounts.js';
import { QUALITY_GRADES } from '../rules.js';
import { ID_PATTERN } from '../streams.js';
import { isInstant, parseInstant } from '../time.js';

/** An ISO-8601 UTC instant (`2026-03-01T08:30:00.000Z`); never a Date. */
export const instantSchema = z
  .string()
  .refine(isInstant, { message: 'expected an ISO-8601 UTC instant ending in Z' });
/**
 * A service's start or end in a command: an instant on a whole minute. Hours are counted in whole
 * minutes, so seconds or milliseconds would either be cut (silently altering what was said) or
 * count; they are refused instead, naming the field. Events keep `instantSchema`.
 */
export const wholeMinuteInstantSchema = instantSchema.refine(
  (value) => !isInstant(value) || parseInstant(value) % 60_000 === 0,
  { message: 'expected a whole minute (seconds and milliseconds 0): service is counted in whole minutes' },
);
export const idSchema = z
  .string()
  .regex(ID_PATTERN, 'expected an id of letters, digits and _ . : - (at most 100)');
/** An amount in integer hundredths of a point, so hours × rate × multiplier never drifts. */
export const centipointsSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const positiveCentipointsSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const accountSchema = z.string().regex(ACCOUNT_PATTERN, 'expected a ledger account name');
/** Idempotency keys: chosen by the caller, at most 200 characters so that they fit in metadata comfortably. */
export const idempotencyKeySchema = z.string().min(1).max(200);
export const qualityGradeSchema = z.enum(QUALITY_GRADES);
/** Text as events hold it. Commands hold new text to the stricter rules of `text.ts`; events written before those rules stay valid. */
export const shortTextSchema = z.string().trim().min(1).max(200);
/** A telephone number: 5–20 digits and dashes, optionally a leading +. */
export const phoneSchema = z
  .string()
  .regex(/^\+?[0-9-]{5,20}$/, 'expected 5-20 digits, dashes, optional leading +');

export const ACTOR_ROLES = [
  'volunteer',
  'registration_desk',
  'organiser',
  'partner',
  'administrator',
  'system',
] as const;
export type ActorRole = (typeof ACTOR_ROLES)[number];

/** Who decided: recorded in events so that history shows who did what ("whoever records certifies"). */
export const actorSchema = z.object({
  id: idSchema,
  role: z.enum(ACTOR_ROLES),
  /** The organisation an organiser or registration desk acts for. */
  organisationId: idSchema.optional(),
  /** The partner a partner user acts for. */
  partnerId: idSchema.optional(),
});
export type Actor = z.infer<typeof actorSchema>;

/** Why a service record was corrected or voided; stable codes, shown in the volunteer's history. */
export const CORRECTION_REASON_CODES = [
  'wrong_time',
  'wrong_duration',
  'wrong_activity',
  'wrong_organisation',
  'duplicate_record',
  'fraudulent_record',
  'reported_by_volunteer',
  'other',
] as const;
export const correctionReasonSchema = z.enum(CORRECTION_REASON_CODES);
export type CorrectionReason = z.infer<typeof correctionReasonSchema>;

/**
 * A personal field sealed by the application (AES-256-GCM under the volunteer's data key):
 * `sealed:v1:` and base64 of IV, tag and ciphertext. The domain never seals or opens one; it
 * only lets a stored event hold a sealed value where it would hold the personal one, so that
 * the hash chain and verification cover ciphertext and need no key (docs/privacy.md).
 */
export const SEALED_FIELD_PATTERN = /^sealed:v1:[A-Za-z0-9+/]+={0,2}$/;
export const sealedFieldSchema = z.string().regex(SEALED_FIELD_PATTERN);

/** What a personal text field reads as once its volunteer's data key is destroyed. */
export const ERASED_TEXT = '[erased]';

/** The schemas `personal()` made: what `personalFieldPaths` looks for. */
const personalSchemas = new WeakSet<z.ZodType>();

/** A personal field of an event: its plain schema, or its sealed form as stored. */
export function personal<Schema extends z.ZodType>(
  schema: Schema,
): z.ZodUnion<[Schema, typeof sealedFieldSchema]> {
  const union: z.ZodUnion<[Schema, typeof sealedFieldSchema]> = z.union([schema, sealedFieldSchema]);
  personalSchemas.add(union);
  return union;
}

/**
 * The paths of the fields an event's data schema marks `personal()`, nested objects included
 * (through optional, nullable and default wrappers): what the application must seal for that
 * event type. The list it seals by is kept by hand and checked against this one.
 */
export function personalFieldPaths(schema: z.ZodType): string[][] {
  let inner: z.ZodType = schema;
  for (;;) {
    if (personalSchemas.has(inner)) return [[]];
    const def = (inner as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
    if (def.innerType === undefined || !['optional', 'nullable', 'default', 'readonly'].includes(def.type))
      break;
    inner = def.innerType;
  }
  if (!(inner instanceof z.ZodObject)) return [];
  return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([key, field]) =>
    personalFieldPaths(field).map((path) => [key, ...path]),
  );
}

/** Fields every event carries: the key of the command that caused it. */
export const eventBase = { idempotencyKey: idempotencyKeySchema };

/** Fields every points-moving event carries: a double-entry movement. */
export const movementFields = {
  fromAccount: accountSchema,
  toAccount: accountSchema,
  centipoints: centipointsSchema,
};
