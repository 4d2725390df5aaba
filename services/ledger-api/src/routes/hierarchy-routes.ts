/**
 * The city's administrative hierarchy (city → district → street → community) and its roll-up
 * statistics. Administrators register units and move communities; coordinators (a key bound to
 * a city, district or street) read the statistics and volunteers' summaries of their subtree and
 * write nothing; auditors and administrators read everything.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  calendarDateSchema,
  areaLevelSchema,
  erasureReasonSchema,
  idSchema,
  nameFieldSchema,
  textFieldSchema,
  type HierarchyState,
} from '@timebank/domain';
import type { RollUpUnit } from '@timebank/projections';
import { ANY_SCOPE, type ScopeRule } from '../auth/access.js';
import type { Scope } from '../auth/principal.js';
import { ProblemError } from '../http/problem.js';
import { DOMAIN_ERROR_STATUS } from '../http/domain-errors.js';
import { instantOnTheWire } from '../http/positions.js';
import { asOfDay } from './as-of-day.js';
import { commandRoute, eventData, type CommandRouteDependencies } from './command-route.js';
import {
  PAGE_SIZE_MAX,
  pageSize,
  readModels,
  readQuery,
  type ReadModelRouteDependencies,
} from './read-model-routes.js';
import type { TypedApp } from './typed-app.js';

const ADMINS = ['admin'] as const;
const READERS = ['coordinator', 'auditor', 'admin'] as const;

export type HierarchyRouteDependencies = CommandRouteDependencies & ReadModelRouteDependencies;

/** True when `ancestorId` is `unitId` or above it in the hierarchy as it stands now. */
function isWithin(state: HierarchyState, unitId: string, ancestorId: string): boolean {
  let current: string | null = unitId;
  // The tree has four levels; the bound guards against a cycle that the deciders never allow.
  for (let step = 0; current !== null && step < 8; step += 1) {
    if (current === ancestorId) return true;
    current = state.units.get(current)?.parentId ?? null;
  }
  return false;
}

/**
 * A coordinator reads a unit when the unit is its area or under it, by the hierarchy as it
 * stands now: a community that moved away leaves the old street's coordinator's view entirely.
 */
function unitScope(context: HierarchyRouteDependencies): ScopeRule {
  return {
    describe: 'coordinator: the unit named by :unitId is its area or under it',
    resolve: async (request: FastifyRequest): Promise<Scope | 'any'> => {
      const principal = request.principal;
      if (principal === null || principal.scope.kind === 'all') return 'any';
      const unitId = (request.params as { unitId: string }).unitId;
      if (principal.scope.kind !== 'area') return { kind: 'area', id: unitId };
      const { state } = await context.ledger.load('hierarchy');
      return isWithin(state, unitId, principal.scope.id) ? principal.scope : { kind: 'area', id: unitId };
    },
  };
}

// Not the figures of GET /v1/communities/:id/statistics under the same names: there "active" means
// confirmed service since activeSince and stars are the awarded ones (docs/domain.md, "Statistics
// roll up"). A tester read a volunteer eligible for a star, never awarded one, as a 1-star volunteer.
const figuresSchema = z.object({
  registeredVolunteers: z.number().int(),
  activeVolunteers: z
    .number()
    .int()
    .describe('Registered and not deactivated (not, as in community statistics, with recent service)'),
  confirmedMinutesByMonth: z
    .record(z.string(), z.number().int())
    .describe('Confirmed minutes by the local month the confirmation happened in (YYYY-MM)'),
  starDistribution: z
    .record(z.string(), z.number().int())
    .describe(
      'Volunteers per star level their confirmed hours reach (eligible, whether applied for and awarded or not; community statistics count awarded stars)',
    ),
  issuedCentipoints: z.number().int(),
  redeemedCentipoints: z.number().int(),
  donatedCentipoints: z.number().int(),
  expiredCentipoints: z.number().int(),
});
const unitFiguresSchema = z.object({
  unitId: z.string(),
  level: z.enum(['city', 'district', 'street', 'community']),
  name: z.string(),
  parentId: z.string().nullable(),
  figures: figuresSchema,
});
/** A local date that exists: 2026-02-30 is a 400, not an empty day. */
const DAY_SCHEMA = calendarDateSchema;

const unitView = (unit: RollUpUnit) => ({
  unitId: unit.unitId,
  level: unit.level,
  name: unit.name,
  parentId: unit.parentId,
  figures: unit.figures,
});

function notFound(unitId: string): ProblemError {
  return new ProblemError(
    DOMAIN_ERROR_STATUS.AREA_NOT_FOUND,
    'AREA_NOT_FOUND',
    `no unit ${unitId} as of that date`,
  );
}

/** The admin routes of the hierarchy. */
function hierarchyCommandRoutes(app: TypedApp, context: HierarchyRouteDependencies): void {
  commandRoute(app, context, {
    url: '/v1/admin/areas',
    tag: 'administrators',
    summary: 'Register a city, a district (under a city) or a street (under a district)',
    roles: ADMINS,
    scope: ANY_SCOPE,
    params: z.strictObject({}),
    body: z.strictObject({
      level: areaLevelSchema,
      areaId: idSchema,
      parentId: idSchema.nullable().default(null),
      name: nameFieldSchema,
    }),
    status: 201,
    response: z.object({ areaId: z.string(), level: areaLevelSchema }),
    command: ({ body }) => ({ type: 'RegisterArea', ...body }),
    respond: (result) => {
      const data = eventData(result, 'AreaRegistered');
      return { areaId: data.areaId, level: data.level };
    },
  });

  commandRoute(app, context, {
    url: '/v1/admin/communities',
    tag: 'administrators',
    summary: 'Register a community under a street, with its coordinator (personal data, sealed)',
    roles: ADMINS,
    scope: ANY_SCOPE,
    params: z.strictObject({}),
    body: z.strictObject({
      communityId: idSchema,
      streetId: idSchema,
      name: nameFieldSchema,
      coordinatorId: idSchema,
      coordinatorName: nameFieldSchema,
      coordinatorContact: textFieldSchema,
    }),
    status: 201,
    response: z.object({ communityId: z.string(), streetId: z.string() }),
    command: ({ body }) => ({ type: 'RegisterCommunity', ...body }),
    respond: (result) => {
      const data = eventData(result, 'CommunityRegistered');
      return { communityId: data.communityId, streetId: data.streetId };
    },
  });

  commandRoute(app, context, {
    url: '/v1/admin/communities/:communityId/move',
    tag: 'administrators',
    summary: 'Move a community to another street; statistics before the move keep the old street',
    roles: ADMINS,
    scope: ANY_SCOPE,
    params: z.strictObject({ communityId: idSchema }),
    body: z.strictObject({ toStreetId: idSchema }),
    status: 200,
    response: z.object({ communityId: z.string(), fromStreetId: z.string(), toStreetId: z.string() }),
    command: ({ params, body }) => ({
      type: 'MoveCommunity',
      communityId: params.communityId,
      toStreetId: body.toStreetId,
    }),
    respond: (result) => {
      const data = eventData(result, 'CommunityMoved');
      return { communityId: data.communityId, fromStreetId: data.fromStreetId, toStreetId: data.toStreetId };
    },
  });
}

/** Crypto-shredding of a coordinator, as of a volunteer: the event first, then the key is destroyed. */
function coordinatorErasureRoute(app: TypedApp, context: HierarchyRouteDependencies): void {
  commandRoute(app, context, {
    url: '/v1/admin/coordinators/:coordinatorId/erasure',
    tag: 'administrators',
    summary:
      "Erase a community coordinator's name and contact (PIPL Art. 47): destroys their data key; certificates then show [erased]",
    roles: ADMINS,
    scope: ANY_SCOPE,
    params: z.strictObject({ coordinatorId: idSchema }),
    body: z.strictObject({ reason: erasureReasonSchema }),
    status: 200,
    response: z.object({
      coordinatorId: z.string(),
      reason: erasureReasonSchema,
      erasedAt: instantOnTheWire,
    }),
    command: ({ params, body }) => ({
      type: 'EraseCoordinatorData',
      coordinatorId: params.coordinatorId,
      reason: body.reason,
    }),
    respond: (result) => {
      const data = eventData(result, 'CoordinatorDataErased');
      return { coordinatorId: data.coordinatorId, reason: data.reason, erasedAt: data.erasedAt };
    },
  });
}

/** The hierarchy routes, as an encapsulated fastify plugin. */
export async function hierarchyRoutes(app: TypedApp, context: HierarchyRouteDependencies): Promise<void> {
  hierarchyCommandRoutes(app, context);
  coordinatorErasureRoute(app, context);
  statisticsRoute(app, context);
  volunteersRoute(app, context);
}

function statisticsRoute(app: TypedApp, context: HierarchyRouteDependencies): void {
  app.get(
    '/v1/units/:unitId/statistics',
    {
      config: { access: { roles: READERS, scope: unitScope(context) }, readsModels: true },
      schema: {
        tags: ['coordinators'],
        summary: 'Roll-up statistics of a unit and each unit directly under it, as of a local date',
        params: z.strictObject({ unitId: idSchema }),
        querystring: readQuery.extend({ asOf: DAY_SCHEMA.optional() }),
        response: {
          200: unitFiguresSchema.extend({ asOf: z.string(), children: z.array(unitFiguresSchema) }),
        },
      },
    },
    async (request) => {
      const asOf = asOfDay(context, request.query.asOf);
      const queries = await readModels(context, request.query.minPosition);
      const rollUp = await queries.rollUp(asOf);
      const unit = rollUp.units.get(request.params.unitId);
      if (unit === undefined) throw notFound(request.params.unitId);
      const children = unit.childIds.map((id) => unitView(rollUp.units.get(id)!));
      return { asOf, ...unitView(unit), children };
    },
  );
}

/** A page cursor of the units' volunteer list: the last volunteer's number and id, joined by a dot. */
const volunteerCursor = z
  .string()
  .regex(/^TB[0-9A-Z]{12}\.[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, 'expected the nextCursor of the previous page')
  .transform((cursor) => {
    const dot = cursor.indexOf('.');
    return { volunteerNumber: cursor.slice(0, dot), volunteerId: cursor.slice(dot + 1) };
  });

/** A page of a unit's volunteers. */
const unitVolunteersPageSchema = z.object({
  unitId: z.string(),
  volunteers: z.array(
    z.object({
      volunteerId: z.string(),
      volunteerNumber: z.string(),
      community: z.string(),
      status: z.string(),
      registeredAt: instantOnTheWire,
      confirmedMinutes: z.number().int(),
      eligibleStars: z.number().int(),
      awardedStars: z.number().int(),
    }),
  ),
  nextCursor: z
    .string()
    .nullable()
    .describe('Pass as `cursor` for the next page (which may be empty); null at the end'),
});

function volunteersRoute(app: TypedApp, context: HierarchyRouteDependencies): void {
  app.get(
    '/v1/units/:unitId/volunteers',
    {
      config: { access: { roles: READERS, scope: unitScope(context) }, readsModels: true },
      schema: {
        tags: ['coordinators'],
        summary:
          "Summaries (no personal data) of the volunteers of a unit's communities, as the hierarchy stands now, a page at a time by volunteer number",
        params: z.strictObject({ unitId: idSchema }),
        querystring: readQuery.extend({
          cursor: volunteerCursor
            .optional()
            .describe("The previous page's nextCursor (default: from the start)"),
          limit: pageSize.describe(`Volunteers per page, 1 to ${PAGE_SIZE_MAX} (default ${PAGE_SIZE_MAX})`),
        }),
        response: { 200: unitVolunteersPageSchema },
      },
    },
    async (request) => {
      const queries = await readModels(context, request.query.minPosition);
      const { state } = await context.ledger.load('hierarchy');
      const { unitId } = request.params;
      if (!state.units.has(unitId)) throw notFound(unitId);
      const communities = [...state.units.values()]
        .filter((unit) => unit.level === 'community' && isWithin(state, unit.id, unitId))
        .map((unit) => unit.id);
      const limit = request.query.limit ?? PAGE_SIZE_MAX;
      const { cursor } = request.query;
      const volunteers = await queries.volunteersOfCommunities(communities, {
        limit,
        ...(cursor === undefined ? {} : { after: cursor }),
      });
      const last = volunteers.at(-1);
      return {
        unitId,
        nextCursor:
          last !== undefined && volunteers.length === limit
            ? `${last.volunteerNumber}.${last.volunteerId}`
            : null,
        volunteers: volunteers.map((volunteer) => ({
          volunteerId: volunteer.volunteerId,
          volunteerNumber: volunteer.volunteerNumber,
          community: volunteer.community,
          status: volunteer.status,
          registeredAt: volunteer.registeredAt,
          confirmedMinutes: volunteer.confirmedMinutes,
          eligibleStars: volunteer.eligibleStars,
          awardedStars: volunteer.awardedStars,
        })),
      };
    },
  );
}
