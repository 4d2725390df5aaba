/**
 * Registration desks: register volunteers, find them, read their summary and history, record
 * service the desk organised, and file star applications. Everything a desk reads or writes is
 * limited to its community. Reads are folded from the volunteer's own stream, so they always
 * include the caller's latest write (read-your-writes holds without waiting).
 */
import { z } from 'zod';
import type { Ledger } from '@timebank/application';
import {
  awardedStarLevel,
  effectiveStarLevel,
  eligibleStarLevel,
  formatInstant,
  idSchema,
  isValidNationalId,
  normaliseNationalId,
  backdatingReasonSchema,
  guardianSchema,
  nameFieldSchema,
  phoneSchema,
  textFieldSchema,
  usableCentipoints,
  volunteerStream,
  type LedgerRules,
  type VolunteerState,
  wholeMinuteInstantSchema,
} from '@timebank/domain';
import type { ScopeRule } from '../auth/access.js';
import { assertCommunityAcceptsVolunteers, readVolunteer, volunteerScope } from '../auth/domain-scope.js';
import { inScope } from '../auth/principal.js';
import { instantOnTheWire, revisionSchema } from '../http/positions.js';
import { ProblemError } from '../http/problem.js';
import { positionSchema } from '../http/write.js';
import { commandRoute, emptyBody, eventData, type CommandRouteDependencies } from './command-route.js';
import type { TypedApp } from './typed-app.js';

const volunteerParams = z.strictObject({ volunteerId: idSchema });
/** Accepted by reads for read-your-writes; stream-folded reads already include every committed write. */
const readQuery = z.strictObject({ minPosition: positionSchema.optional() });

export const volunteerSummarySchema = z.object({
  volunteerId: z.string(),
  volunteerNumber: z.string(),
  name: z.string(),
  nationalIdMasked: z.string(),
  community: z.string(),
  status: z.enum(['active', 'inactive']),
  confirmedMinutes: z.number().int(),
  pendingMinutes: z.number().int(),
  eligibleStars: z.number().int(),
  awardedStars: z.number().int(),
  effectiveStars: z.number().int(),
  starReviewFlag: z.boolean(),
  starCertificationBarredUntil: instantOnTheWire
    .nullable()
    .describe('End of a bar on star applications after fraudulent hours; null when none is in force'),
  availableCentipoints: z.number().int(),
  usableCentipoints: z.number().int().describe('Available minus points already due to expire'),
  heldCentipoints: z.number().int(),
  offeredCentipoints: z.number().int().describe('Earned above the balance cap, offered for donation'),
  revision: revisionSchema.describe('Revision of the volunteer stream this summary was folded up to'),
});

export function summarise(
  state: VolunteerState,
  revision: bigint,
  rules: LedgerRules,
  nowMs: number,
): z.infer<typeof volunteerSummarySchema> {
  if (state.status === 'unregistered' || state.volunteerId === null)
    throw new Error('unregistered volunteer');
  let pendingMinutes = 0;
  for (const record of state.records.values())
    if (record.status === 'pending') pendingMinutes += record.durationMinutes;
  return {
    volunteerId: state.volunteerId,
    volunteerNumber: state.volunteerNumber ?? '',
    name: state.name ?? '',
    nationalIdMasked: state.nationalIdMasked ?? '',
    community: state.community ?? '',
    status: state.status,
    confirmedMinutes: state.confirmedMinutes,
    pendingMinutes,
    eligibleStars: eligibleStarLevel(state.confirmedMinutes, rules),
    awardedStars: awardedStarLevel(state),
    effectiveStars: effectiveStarLevel(state, nowMs),
    starReviewFlag: state.awards.some((award) => award.flaggedForReview),
    starCertificationBarredUntil:
      state.starBarredUntilMs !== null && state.starBarredUntilMs > nowMs
        ? formatInstant(state.starBarredUntilMs)
        : null,
    availableCentipoints: state.availableCentipoints,
    usableCentipoints: usableCentipoints(state, nowMs),
    heldCentipoints: state.heldCentipoints,
    offeredCentipoints: state.offeredCentipoints,
    revision: revision.toString(),
  };
}

async function summaryOf(context: VolunteerRouteDependencies, volunteerId: string) {
  const summary = await readVolunteer(context.ledger, volunteerId, (state, revision) =>
    state.status === 'unregistered'
      ? null
      : summarise(state, revision, context.ledger.rules, context.clock()),
  );
  if (summary === null) throw new ProblemError(404, 'VOLUNTEER_NOT_FOUND', `no volunteer ${volunteerId}`);
  return summary;
}

const lookupBody = z.strictObject({ nationalIdNumber: z.string().min(1).max(40) });

/**
 * The volunteer an ID number names, or null. A number whose form or check character is wrong (a
 * typo at the desk) is refused as registration refuses it, not answered "not found": the check is
 * public arithmetic, so saying so tells nobody who is registered.
 */
async function volunteerIdForLookup(ledger: Ledger, nationalIdNumber: string): Promise<string | null> {
  if (!isValidNationalId(normaliseNationalId(nationalIdNumber))) {
    throw new ProblemError(
      422,
      'INVALID_NATIONAL_ID',
      'the ID number is malformed or its check digit is wrong',
    );
  }
  return ledger.volunteerIdForNationalId(nationalIdNumber);
}

/**
 * The desk's community must be the looked-up volunteer's; the id comes from the duplicate index
 * (the ID number's keyed hash). A volunteer of another community is answered exactly like an unregistered person
 * (the same 404, the same body): otherwise any desk could learn whether anyone is registered
 * anywhere by trying ID numbers.
 */
function lookupScope(context: VolunteerRouteDependencies): ScopeRule {
  return {
    describe: "desk: the volunteer's community (another community's volunteer reads as not found)",
    async resolve(request) {
      const principal = request.principal;
      if (principal === null || principal.scope.kind === 'all') return 'any';
      const { nationalIdNumber } = request.body as z.infer<typeof lookupBody>;
      const volunteerId = await volunteerIdForLookup(context.ledger, nationalIdNumber);
      const community =
        volunteerId === null
          ? null
          : await readVolunteer(context.ledger, volunteerId, (state) => state.community);
      const visible = community !== null && inScope(principal, { kind: 'community', id: community });
      if (!visible) throw new ProblemError(404, 'VOLUNTEER_NOT_FOUND', 'no volunteer with this ID number');
      return { kind: 'community', id: community };
    },
  };
}

export interface VolunteerRouteDependencies extends CommandRouteDependencies {
  /** Epoch milliseconds; the clock the ledger decides with. */
  readonly clock: () => number;
}

/** The volunteer routes, as an encapsulated fastify plugin. */
// eslint-disable-next-line max-lines-per-function -- a route family is a table of route declarations (one object literal per route); its length counts routes, not branches
export async function volunteerRoutes(app: TypedApp, context: VolunteerRouteDependencies): Promise<void> {
  const { ledger } = context;
  const DESK = ['desk', 'admin'] as const;
  /** Reads a signed-in volunteer may make of their own record. */
  const SELF = ['desk', 'admin', 'volunteer'] as const;

  commandRoute(app, context, {
    url: '/v1/volunteers',
    tag: 'desks',
    summary: 'Register a volunteer; the ID number is kept only as a keyed hash and a masked form',
    roles: DESK,
    scope: {
      describe: 'desk: the community named by body.community',
      resolve: (request) => bodyCommunity(request.body),
    },
    params: z.strictObject({}),
    body: z.strictObject({
      name: nameFieldSchema,
      nationalIdNumber: z.string().min(1).max(40),
      phone: phoneSchema,
      community: idSchema,
      guardian: guardianSchema
        .optional()
        .describe(
          "Required below the age of majority (default 18): the guardian's name, telephone and consent",
        ),
    }),
    status: 201,
    response: z.object({
      volunteerId: z.string(),
      volunteerNumber: z.string(),
      nationalIdMasked: z.string(),
    }),
    command: async ({ body, principal }) => {
      await assertCommunityAcceptsVolunteers(ledger, principal, body.community);
      return { type: 'RegisterVolunteer', ...body };
    },
    respond: (result) => {
      const data = eventData(result, 'VolunteerRegistered');
      return {
        volunteerId: data.volunteerId,
        volunteerNumber: data.volunteerNumber,
        nationalIdMasked: data.nationalIdMasked,
      };
    },
  });

  app.post(
    '/v1/volunteers/lookup',
    {
      config: { access: { roles: DESK, scope: lookupScope(context) } },
      schema: {
        tags: ['desks'],
        summary: 'Find a volunteer by national ID number (sent in the body, never in a URL)',
        body: lookupBody,
        response: { 200: volunteerSummarySchema },
      },
    },
    async (request) => {
      const volunteerId = await volunteerIdForLookup(ledger, request.body.nationalIdNumber);
      if (volunteerId === null)
        throw new ProblemError(404, 'VOLUNTEER_NOT_FOUND', 'no volunteer with this ID number');
      return summaryOf(context, volunteerId);
    },
  );

  app.get(
    '/v1/volunteers/:volunteerId',
    {
      config: { access: { roles: SELF, scope: volunteerScope(ledger, { volunteer: true }) } },
      schema: {
        tags: ['desks'],
        summary: "A volunteer's summary: hours, stars and points, folded from their stream",
        params: volunteerParams,
        querystring: readQuery,
        response: { 200: volunteerSummarySchema },
      },
    },
    async (request) => summaryOf(context, request.params.volunteerId),
  );

  app.get(
    '/v1/volunteers/:volunteerId/history',
    {
      config: { access: { roles: SELF, scope: volunteerScope(ledger, { volunteer: true }) } },
      schema: {
        tags: ['desks'],
        summary: "A volunteer's history: every event of their stream, corrections included",
        params: volunteerParams,
        querystring: readQuery,
        response: {
          200: z.object({
            volunteerId: z.string(),
            events: z.array(
              z.object({
                revision: revisionSchema,
                position: positionSchema,
                type: z.string(),
                recordedAt: instantOnTheWire,
                data: z.record(z.string(), z.unknown()),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { volunteerId } = request.params;
      const events = [];
      let from = 0n;
      // A volunteer's stream is small (years of records are a few thousand events), so it is read whole.
      for (;;) {
        const page = await context.store.readStream(volunteerStream(volunteerId), { fromRevision: from });
        for (const event of page) {
          const { nationalIdHash: _hash, ...data } = event.data;
          events.push({
            revision: event.revision.toString(),
            position: event.position.toString(),
            type: event.type,
            recordedAt: event.recordedAt,
            data,
          });
        }
        const last = page.at(-1);
        if (last === undefined) break;
        from = last.revision + 1n;
      }
      // An empty stream is nobody's: a mistyped id is not a volunteer with nothing on record.
      if (events.length === 0)
        throw new ProblemError(404, 'VOLUNTEER_NOT_FOUND', `no volunteer ${volunteerId}`);
      return { volunteerId, events };
    },
  );

  commandRoute(app, context, {
    url: '/v1/volunteers/:volunteerId/service-records',
    tag: 'desks',
    summary: 'Record service hours (pending until the organising organisation confirms them)',
    roles: ['desk', 'organiser', 'admin'],
    scope: volunteerScope(ledger, { organiserField: 'organisationId' }),
    params: volunteerParams,
    body: z.strictObject({
      activity: textFieldSchema,
      organisationId: idSchema,
      projectId: idSchema
        .optional()
        .describe(
          'A social-work project of the organisation (PROJECT_NOT_FOUND, PROJECT_ORGANISATION_MISMATCH)',
        ),
      startAt: wholeMinuteInstantSchema,
      endAt: wholeMinuteInstantSchema,
      backdatingReason: backdatingReasonSchema
        .optional()
        .describe("An administrator's reason, required when the start is older than the back-dating window"),
    }),
    status: 201,
    response: z.object({ recordId: z.string(), durationMinutes: z.number().int() }),
    command: ({ params, body }) => ({ type: 'RecordServiceHours', volunteerId: params.volunteerId, ...body }),
    respond: (result) => {
      const data = eventData(result, 'ServiceHoursRecorded');
      return { recordId: data.recordId, durationMinutes: data.durationMinutes };
    },
  });

  commandRoute(app, context, {
    url: '/v1/volunteers/:volunteerId/star-applications',
    tag: 'desks',
    summary: "File a star application on the volunteer's behalf; awards the highest eligible level",
    roles: DESK,
    scope: volunteerScope(ledger),
    params: volunteerParams,
    body: emptyBody,
    status: 201,
    response: z.object({ level: z.number().int(), effectiveAt: instantOnTheWire.nullable() }),
    command: ({ params }) => ({ type: 'ApplyForStarRating', volunteerId: params.volunteerId }),
    respond: (result) => {
      const applied = eventData(result, 'StarRatingApplied');
      const awarded = result.events.find((event) => event.type === 'StarRatingAwarded');
      return {
        level: applied.level,
        effectiveAt: awarded?.type === 'StarRatingAwarded' ? awarded.data.effectiveAt : null,
      };
    },
  });

  commandRoute(app, context, {
    url: '/v1/volunteers/:volunteerId/deactivate',
    tag: 'desks',
    summary:
      'Deactivate a volunteer (service stopped): no new service, holds or transfers; history and certificates stay',
    roles: DESK,
    scope: volunteerScope(ledger),
    params: volunteerParams,
    body: z.strictObject({ reason: textFieldSchema }),
    status: 200,
    response: z.object({ volunteerId: z.string(), deactivatedAt: instantOnTheWire }),
    command: ({ params, body }) => ({
      type: 'DeactivateVolunteer',
      volunteerId: params.volunteerId,
      reason: body.reason,
    }),
    respond: (result) => {
      const deactivated = eventData(result, 'VolunteerDeactivated');
      return { volunteerId: deactivated.volunteerId, deactivatedAt: deactivated.deactivatedAt };
    },
  });
}

function bodyCommunity(body: unknown): { kind: 'community'; id: string } {
  const community = (body as { community?: unknown }).community;
  if (typeof community !== 'string') throw new Error('registration body has no community');
  return { kind: 'community', id: community };
}
