/**
 * Service certificates (志愿服务证明): a desk issues and reprints them for volunteers of its
 * community; anyone holding a certificate can verify it by its number, without an API key.
 *
 * The number embeds the volunteer id (see packages/domain/src/certificate-number.ts), so every
 * route here folds the one volunteer stream the certificate lives in: issuing is a single
 * append, and verification needs no index, no read model and no second write that a crash
 * could leave half done. The verification answer carries only what a verifier needs; the
 * public route is rate limited per client address.
 */
import { z } from 'zod';
import {
  amendedCertificateRecords,
  CERTIFICATE_NUMBER_PATTERN,
  ERASED_TEXT,
  certificateIssuerCommandSchema,
  idSchema,
  instantSchema,
  certificateNumberCheckPasses,
  normaliseCertificateNumber,
  volunteerIdOfCertificateNumber,
  type HierarchyState,
  type IssuedCertificate,
} from '@timebank/domain';
import type { ScopeRule } from '../auth/access.js';
import { readVolunteer, volunteerScope } from '../auth/domain-scope.js';
import { instantOnTheWire } from '../http/positions.js';
import { ProblemError } from '../http/problem.js';
import { commandRoute, eventData, type CommandRouteDependencies } from './command-route.js';
import { certificatePdfRoute } from './certificate-pdf-route.js';
import type { ProjectorHandle } from './projector-handle.js';
import { commendationSchema, recordsOf, trainingSchema } from './record-routes.js';
import { readModels } from './read-model-routes.js';
import type { TypedApp } from './typed-app.js';
import type { ReadModelQueries } from '@timebank/projections';

const DESK = ['desk', 'admin'] as const;
/** Reads a signed-in volunteer may make of their own certificates (docs/api.md, the volunteer role). */
const SELF = ['desk', 'admin', 'volunteer'] as const;
const PUBLIC_SCOPE: ScopeRule = { describe: '—', resolve: () => 'any' };

/** Numbers as typed: spaces and lower case are accepted and normalised before the look-up. */
const certificateNumberParam = z
  .string()
  .max(60)
  .regex(
    new RegExp(CERTIFICATE_NUMBER_PATTERN.source, 'i'),
    'expected a certificate number SC2-XXXX-XXXX-XXXX-XXXX-C (or an older SC…-NNNN-XXXXXXXX)',
  )
  .describe('Certificate number, e.g. SC2-7KX2-M9QD-0R4T-BN5W-H (older numbers: SC…-0001-X7YQW1AX)');

/** Which further record kinds a certificate shows, asked for with `?include=training,commendations`. */
export interface CertificateInclude {
  readonly training: boolean;
  readonly commendations: boolean;
}
const NO_INCLUDE: CertificateInclude = { training: false, commendations: false };

/** The certificate reads' query: what to include beside the service (nothing by default). */
export const certificateQuery = z.strictObject({
  include: z
    .string()
    .regex(
      /^(training|commendations)(,(training|commendations))?$/,
      'expected training, commendations or training,commendations',
    )
    .optional()
    .describe('training, commendations or both (comma-separated): further records to show'),
});

export function includeOf(query: z.infer<typeof certificateQuery>): CertificateInclude {
  const parts = new Set((query.include ?? '').split(','));
  return { training: parts.has('training'), commendations: parts.has('commendations') };
}

const activitySchema = z.object({
  activity: z.string(),
  organisationId: z.string(),
  durationMinutes: z.number().int(),
  recordCount: z.number().int(),
  firstStartAt: instantOnTheWire,
  lastEndAt: instantOnTheWire,
});

export const certificateSchema = z.object({
  certificateNumber: z.string(),
  sequence: z.number().int().describe("1 for the volunteer's first certificate, then 2, 3, …"),
  volunteerId: z.string(),
  volunteerNumber: z.string(),
  name: z.string(),
  idType: z.string().describe('resident_identity_card (居民身份证)'),
  nationalIdMasked: z.string(),
  community: z.string(),
  communityName: z
    .string()
    .nullable()
    .describe("The community's name as the hierarchy holds it; null when the community is not registered"),
  serviceFrom: instantOnTheWire.nullable(),
  serviceUntil: instantOnTheWire.nullable(),
  confirmedMinutes: z.number().int(),
  serviceHours: z.string().describe('Confirmed hours with two decimals, rounded down'),
  activities: z.array(activitySchema).describe('Content of service: minutes per activity and organisation'),
  recordIds: z.array(z.string()),
  issuer: z.object({
    organisationName: z.string(),
    personInCharge: z
      .string()
      .describe(
        "The community coordinator's name when the community is registered with one; `[erased]` after erasure",
      ),
    personInChargeContact: z
      .string()
      .nullable()
      .describe("The community coordinator's contact; null when the certificate names no coordinator"),
    personInChargeCoordinatorId: z.string().nullable(),
    handler: z.string(),
    contact: z.string(),
  }),
  issuedAt: instantOnTheWire,
  issueDate: z.string().describe('Local calendar date printed on the certificate'),
  amendedRecordIds: z
    .array(z.string())
    .describe('Covered records voided or corrected since issue; the certificate itself never changes'),
  trainings: z
    .array(trainingSchema)
    .optional()
    .describe('With ?include=training: trainings recorded up to the issue, in recorded order'),
  commendations: z
    .array(commendationSchema)
    .optional()
    .describe('With ?include=commendations: commendations recorded up to the issue, in recorded order'),
});
export type CertificateView = z.infer<typeof certificateSchema>;

/** Minutes as hours with two decimals, rounded down: a certificate never states more than was served. */
export function hoursOf(minutes: number): string {
  const hundredths = Math.floor((minutes * 100) / 60);
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}

/** The first character and one `*` per further character: enough to match a person, not to identify one. */
export function maskName(name: string): string {
  const characters = [...name.trim()];
  if (characters.length <= 1) return '*';
  return characters[0]! + '*'.repeat(characters.length - 1);
}

/**
 * The person in charge a certificate shows: the community coordinator it names, as the hierarchy
 * has them now (opened, or `[erased]` once their key is destroyed), else the issuer's own text.
 */
function personInChargeOf(
  certificate: IssuedCertificate,
  hierarchy: HierarchyState | undefined,
): Pick<
  CertificateView['issuer'],
  'personInCharge' | 'personInChargeContact' | 'personInChargeCoordinatorId'
> {
  const coordinatorId = certificate.personInChargeCoordinatorId;
  if (coordinatorId === undefined)
    return {
      personInCharge: certificate.issuer.personInCharge,
      personInChargeContact: null,
      personInChargeCoordinatorId: null,
    };
  const coordinator = hierarchy?.coordinators.get(coordinatorId);
  return {
    personInCharge: coordinator?.name ?? ERASED_TEXT,
    personInChargeContact: coordinator?.contact ?? ERASED_TEXT,
    personInChargeCoordinatorId: coordinatorId,
  };
}

/** A registered community's name, as the hierarchy holds it now (like its coordinator), else null. */
function communityNameOf(community: string, hierarchy: HierarchyState | undefined): string | null {
  const unit = hierarchy?.units.get(community);
  return unit?.level === 'community' ? unit.name : null;
}

function viewOf(
  certificate: IssuedCertificate,
  amendedRecordIds: readonly string[],
  hierarchy: HierarchyState | undefined,
): CertificateView {
  return {
    certificateNumber: certificate.certificateNumber,
    sequence: certificate.sequence,
    volunteerId: certificate.volunteerId,
    volunteerNumber: certificate.volunteerNumber,
    name: certificate.name,
    idType: certificate.idType,
    nationalIdMasked: certificate.nationalIdMasked,
    community: certificate.community,
    communityName: communityNameOf(certificate.community, hierarchy),
    serviceFrom: certificate.serviceFrom,
    serviceUntil: certificate.serviceUntil,
    confirmedMinutes: certificate.confirmedMinutes,
    serviceHours: hoursOf(certificate.confirmedMinutes),
    activities: certificate.activities.map((activity) => ({ ...activity })),
    recordIds: [...certificate.recordIds],
    issuer: { ...certificate.issuer, ...personInChargeOf(certificate, hierarchy) },
    issuedAt: certificate.issuedAt,
    issueDate: certificate.issueDate,
    amendedRecordIds: [...amendedRecordIds],
  };
}

/**
 * One certificate as its volunteer's stream has it now (personal fields opened, or the erasure
 * placeholder), or 404 CERTIFICATE_NOT_FOUND. The JSON and the PDF route both print this.
 */
export async function readCertificateView(
  ledger: CommandRouteDependencies['ledger'],
  volunteerId: string,
  certificateNumber: string,
  include: CertificateInclude = NO_INCLUDE,
): Promise<CertificateView> {
  const number = normaliseCertificateNumber(certificateNumber);
  const { state: hierarchy } = await ledger.load('hierarchy');
  const view = await readVolunteer(ledger, volunteerId, (state) => {
    const certificate = state.certificates.get(number);
    if (certificate === undefined) return null;
    const base = viewOf(certificate, amendedCertificateRecords(state, number), hierarchy);
    if (!include.training && !include.commendations) return base;
    // What was on record when the certificate was issued: a reprint shows the same lists.
    const records = recordsOf(state, Date.parse(certificate.issuedAt));
    return {
      ...base,
      ...(include.training ? { trainings: records.trainings } : {}),
      ...(include.commendations ? { commendations: records.commendations } : {}),
    };
  });
  if (view === null)
    throw ProblemError.http('CERTIFICATE_NOT_FOUND', `volunteer ${volunteerId} has no certificate ${number}`);
  return view;
}

const verificationSchema = z.object({
  certificateNumber: z.string(),
  valid: z.boolean().describe('Issued by this ledger, and every record it covers still stands'),
  status: z
    .enum(['valid', 'amended', 'unknown'])
    .describe('amended: issued, but a covered record was later voided or corrected'),
  certificate: z
    .object({
      holderName: z.string().describe('Masked: the first character only; `[erased]` after erasure'),
      holderDataErased: z
        .literal(true)
        .optional()
        .describe(
          "Present when the certificate was issued and the holder's personal data has since been erased",
        ),
      idType: z.string(),
      nationalIdMasked: z.string(),
      confirmedMinutes: z.number().int(),
      serviceHours: z.string(),
      serviceFrom: instantOnTheWire.nullable(),
      serviceUntil: instantOnTheWire.nullable(),
      issueDate: z.string(),
      issuer: z.object({ organisationName: z.string(), community: z.string() }),
    })
    .nullable(),
});

export interface CertificateRouteDependencies extends CommandRouteDependencies {
  /** The verification route's own limit (LEDGER_RATE_LIMIT_*). */
  readonly config: {
    readonly rateLimit: { readonly certificateVerificationsMax: number; readonly windowSeconds: number };
    readonly readYourWritesTimeoutMs: number;
  };
  /** The certificate index, for numbers that do not name the volunteer (null: no projector here). */
  readonly projector: ProjectorHandle | null;
  readonly readModels: ReadModelQueries | null;
}

/** The volunteer whose stream holds `number`: embedded in old numbers, indexed for new ones. */
async function holderOf(context: CertificateRouteDependencies, number: string): Promise<string | null> {
  const embedded = volunteerIdOfCertificateNumber(number);
  if (embedded !== null) return embedded;
  // A mistyped number is unknown without a look-up.
  if (!certificateNumberCheckPasses(number)) return null;
  const indexed = await (await readModels(context, undefined)).volunteerOfCertificate(number);
  if (indexed !== null) return indexed;
  // Not indexed yet, or never issued: a certificate printed a moment ago must still verify, so
  // wait (bounded by READ_YOUR_WRITES_TIMEOUT_MS) for the index to reach the store's head once.
  const head = await context.store.headPosition();
  const queries = await readModels(context, head.toString());
  return queries.volunteerOfCertificate(number);
}

/** The certificate routes, as an encapsulated fastify plugin. */
// eslint-disable-next-line max-lines-per-function -- a route family is a table of route declarations (one object literal per route); its length counts routes, not branches
export async function certificateRoutes(app: TypedApp, context: CertificateRouteDependencies): Promise<void> {
  const { ledger } = context;
  const volunteerParams = z.strictObject({ volunteerId: idSchema });

  commandRoute(app, context, {
    url: '/v1/volunteers/:volunteerId/certificates',
    tag: 'desks',
    summary: "Issue a numbered service certificate of the volunteer's confirmed service (free, on request)",
    roles: DESK,
    scope: volunteerScope(ledger),
    params: volunteerParams,
    body: z.strictObject({
      issuer: certificateIssuerCommandSchema,
      serviceFrom: instantSchema.optional().describe('Covers service starting at or after this instant'),
      serviceUntil: instantSchema.optional().describe('Covers service starting before this instant'),
    }),
    status: 201,
    response: certificateSchema,
    command: ({ params, body }) => ({
      type: 'IssueServiceCertificate',
      volunteerId: params.volunteerId,
      issuer: body.issuer,
      ...(body.serviceFrom === undefined ? {} : { serviceFrom: body.serviceFrom }),
      ...(body.serviceUntil === undefined ? {} : { serviceUntil: body.serviceUntil }),
    }),
    // The decision loaded the hierarchy a moment ago, so its cached fold is the one it used.
    respond: (result) => viewOf(eventData(result, 'ServiceCertificateIssued'), [], ledger.peek('hierarchy')),
  });

  app.get(
    '/v1/volunteers/:volunteerId/certificates',
    {
      config: { access: { roles: SELF, scope: volunteerScope(ledger, { volunteer: true }) } },
      schema: {
        tags: ['desks'],
        summary: "The volunteer's certificates, in issue order",
        params: volunteerParams,
        response: {
          200: z.object({
            volunteerId: z.string(),
            certificates: z.array(
              z.object({
                certificateNumber: z.string(),
                sequence: z.number().int(),
                issueDate: z.string(),
                confirmedMinutes: z.number().int(),
                amended: z.boolean(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { volunteerId } = request.params;
      const certificates = await readVolunteer(ledger, volunteerId, (state) =>
        state.status === 'unregistered'
          ? null
          : [...state.certificates.values()].map((certificate) => ({
              certificateNumber: certificate.certificateNumber,
              sequence: certificate.sequence,
              issueDate: certificate.issueDate,
              confirmedMinutes: certificate.confirmedMinutes,
              amended: amendedCertificateRecords(state, certificate.certificateNumber).length > 0,
            })),
      );
      if (certificates === null)
        throw new ProblemError(404, 'VOLUNTEER_NOT_FOUND', `no volunteer ${volunteerId}`);
      return { volunteerId, certificates };
    },
  );

  app.get(
    '/v1/volunteers/:volunteerId/certificates/:certificateNumber',
    {
      config: { access: { roles: SELF, scope: volunteerScope(ledger, { volunteer: true }) } },
      schema: {
        tags: ['desks'],
        summary: 'Certificate data for printing: every field the certificate shows',
        params: z.strictObject({ volunteerId: idSchema, certificateNumber: certificateNumberParam }),
        querystring: certificateQuery,
        response: { 200: certificateSchema },
      },
    },
    async (request) =>
      readCertificateView(
        ledger,
        request.params.volunteerId,
        request.params.certificateNumber,
        includeOf(request.query),
      ),
  );

  await certificatePdfRoute(app, { ledger, certificateNumberParam });

  app.get(
    '/v1/certificates/:certificateNumber/verification',
    {
      config: {
        access: { roles: 'public', scope: PUBLIC_SCOPE },
        // Per client address whatever key is sent: the route is public, and the 40-bit code in a
        // number must not be guessable by trying.
        rateLimit: {
          max: context.config.rateLimit.certificateVerificationsMax,
          timeWindow: context.config.rateLimit.windowSeconds * 1000,
          keyGenerator: (request) => `certificate-verification:${request.ip}`,
        },
      },
      schema: {
        tags: ['public'],
        summary: 'Verify a certificate by its number (no API key): valid or not, with masked details',
        security: [],
        params: z.strictObject({ certificateNumber: certificateNumberParam }),
        response: { 200: verificationSchema },
      },
    },
    async (request) => {
      const number = normaliseCertificateNumber(request.params.certificateNumber);
      const volunteerId = await holderOf(context, number);
      if (volunteerId === null)
        return { certificateNumber: number, valid: false, status: 'unknown' as const, certificate: null };
      const found = await readVolunteer(ledger, volunteerId, (state) => {
        const certificate = state.certificates.get(number);
        if (certificate === undefined) return null;
        return {
          certificate,
          amended: amendedCertificateRecords(state, number).length > 0,
          erased: state.personalDataErased,
        };
      });
      if (found === null)
        return { certificateNumber: number, valid: false, status: 'unknown' as const, certificate: null };
      const { certificate, amended, erased } = found;
      return {
        certificateNumber: number,
        valid: !amended,
        status: amended ? ('amended' as const) : ('valid' as const),
        certificate: {
          holderName: erased ? ERASED_TEXT : maskName(certificate.name),
          ...(erased ? { holderDataErased: true as const } : {}),
          idType: certificate.idType,
          nationalIdMasked: certificate.nationalIdMasked,
          confirmedMinutes: certificate.confirmedMinutes,
          serviceHours: hoursOf(certificate.confirmedMinutes),
          serviceFrom: certificate.serviceFrom,
          serviceUntil: certificate.serviceUntil,
          issueDate: certificate.issueDate,
          issuer: { organisationName: certificate.issuer.organisationName, community: certificate.community },
        },
      };
    },
  );
}
