/**
 * Service certificates (志愿服务证明), on the volunteer's stream. The event is a snapshot: it
 * carries every field the certificate shows, so reprinting or verifying it never recomputes
 * anything from later history, and a later correction of a covered record is visible beside it
 * rather than silently changing it.
 */
import { z } from 'zod';
import { CERTIFICATE_NUMBER_PATTERN } from '../certificate-number.js';
import { actorSchema, eventBase, idSchema, instantSchema, personal, shortTextSchema } from './common.js';

/** ID document types. Registration accepts mainland resident ID numbers only (GB 11643). */
export const ID_TYPES = ['resident_identity_card'] as const;

/** Who issues the certificate: the fields DOMAIN.md lists for the issuing side. */
export const certificateIssuerSchema = z.strictObject({
  /** Issuing organisation, e.g. the community's volunteer service station. */
  organisationName: shortTextSchema,
  /** Person in charge (负责人). */
  personInCharge: shortTextSchema,
  /** Handler (经办人): who prepared this certificate. */
  handler: shortTextSchema,
  /** How a reader reaches the issuer, e.g. a telephone number. */
  contact: shortTextSchema,
});

/** The content of service: confirmed minutes per activity and organisation. */
export const certificateActivitySchema = z.object({
  activity: shortTextSchema,
  organisationId: idSchema,
  durationMinutes: z.number().int().positive(),
  recordCount: z.number().int().positive(),
  firstStartAt: instantSchema,
  lastEndAt: instantSchema,
});

export const serviceCertificateIssuedData = z.object({
  ...eventBase,
  volunteerId: idSchema,
  certificateNumber: z.string().regex(CERTIFICATE_NUMBER_PATTERN),
  /** 1 for the volunteer's first certificate, then 2, 3, … */
  sequence: z.number().int().positive(),
  volunteerNumber: idSchema,
  name: personal(shortTextSchema),
  idType: z.enum(ID_TYPES),
  nationalIdMasked: personal(z.string().min(8).max(18)),
  community: shortTextSchema,
  /** The service period asked for (start times in [from, until)); null for an open end. */
  serviceFrom: instantSchema.nullable(),
  serviceUntil: instantSchema.nullable(),
  /** Sum of the covered records' minutes: the hours the certificate states. */
  confirmedMinutes: z.number().int().positive(),
  /** Every confirmed record the certificate covers, in service order. */
  recordIds: z.array(idSchema).min(1),
  activities: z.array(certificateActivitySchema).min(1),
  issuer: certificateIssuerSchema,
  /**
   * The registered community's coordinator (专人负责) at issue, shown as the person in charge in
   * place of `issuer.personInCharge`. Only the id: their name and contact stay sealed under their
   * own key, so erasing the coordinator erases them from every certificate. Absent when the
   * community was not registered with a coordinator.
   */
  personInChargeCoordinatorId: idSchema.optional(),
  issuedAt: instantSchema,
  /** The local calendar date printed on the certificate (YYYY-MM-DD, `rules.localTimeOffsetMinutes`). */
  issueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  actor: actorSchema,
});

export const CERTIFICATE_EVENT_DATA = {
  ServiceCertificateIssued: serviceCertificateIssuedData,
} as const;
