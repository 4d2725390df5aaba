/**
 * Social-work projects (社工项目) and their volunteer teams: an organisation registers its
 * projects and teams and enrols volunteers; organisers confirm a team's group activities, which
 * earn the team group points; group points can only be donated to the pool, and any other use is
 * refused (GROUP_POINTS_DONATION_ONLY). Statistics per project and per organisation as of a date.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  backdatingReasonSchema,
  calendarDateSchema,
  GROUP_POINTS_FORBIDDEN_USES,
  idSchema,
  nameFieldSchema,
  QUALITY_GRADES,
  textFieldSchema,
  wholeMinuteInstantSchema,
} from '@timebank/domain';
import type { ServiceStatistics } from '@timebank/projections';
import { scopeFromBody, scopeFromParam, type ScopeRule } from '../auth/access.js';
import type { Scope } from '../auth/principal.js';
import { DOMAIN_ERROR_STATUS } from '../http/domain-errors.js';
import { ProblemError } from '../http/problem.js';
import { asOfDay } from './as-of-day.js';
import { commandRoute, eventData, type CommandRouteDependencies } from './command-route.js';
import { readModels, readQuery, type ReadModelRouteDependencies } from './read-model-routes.js';
import type { TypedApp } from './typed-app.js';

const ORGANISERS = ['organiser', 'admin'] as const;
const READERS = ['organiser', 'auditor', 'admin'] as const;
/** Whoever might try to spend group points: all are refused, with the rule's own code. */
const SPENDERS = ['partner', 'organiser', 'admin'] as const;

export type ProjectRouteDependencies = CommandRouteDependencies & ReadModelRouteDependencies;

const projectParams = z.strictObject({ projectId: idSchema });
const teamParams = z.strictObject({ projectId: idSchema, teamId: idSchema });
/** A local date that exists: 2026-02-30 is a 400, not an empty day. */
const DAY_SCHEMA = calendarDateSchema;
const statisticsSchema = z.object({
  asOf: z.string(),
  confirmedMinutes: z.number().int(),
  confirmedRecords: z.number().int(),
  volunteers: z.number().int(),
});

function projectNotFound(projectId: string): ProblemError {
  return new ProblemError(
    DOMAIN_ERROR_STATUS.PROJECT_NOT_FOUND,
    'PROJECT_NOT_FOUND',
    `no project ${projectId}`,
  );
}

/** Organisers act on projects of their organisation; an unknown project is 404 for everyone scoped. */
function projectScope(context: ProjectRouteDependencies): ScopeRule {
  return {
    describe: "organiser: the project's organisation",
    resolve: async (request: FastifyRequest): Promise<Scope | 'any'> => {
      const principal = request.principal;
      if (principal === null || principal.scope.kind === 'all') return 'any';
      const { projectId } = request.params as { projectId: string };
      const { state } = await context.ledger.load('project', projectId);
      if (state.organisationId === null) throw projectNotFound(projectId);
      return { kind: 'organisation', id: state.organisationId };
    },
  };
}

const statisticsView = (statistics: ServiceStatistics) => ({ ...statistics });

function registrationRoutes(app: TypedApp, context: ProjectRouteDependencies): void {
  const scope = projectScope(context);
  commandRoute(app, context, {
    url: '/v1/projects',
    tag: 'organisers',
    summary:
      'Register a social-work project of an organisation, led by a social worker (personal data, sealed)',
    roles: ORGANISERS,
    scope: scopeFromBody('organisation', 'organisationId'),
    params: z.strictObject({}),
    body: z.strictObject({
      projectId: idSchema.max(40),
      organisationId: idSchema,
      name: nameFieldSchema,
      leaderId: idSchema,
      leaderName: nameFieldSchema,
      leaderContact: textFieldSchema,
    }),
    status: 201,
    response: z.object({ projectId: z.string(), organisationId: z.string() }),
    command: ({ body }) => ({ type: 'RegisterProject', ...body }),
    respond: (result) => {
      const data = eventData(result, 'ProjectRegistered');
      return { projectId: data.projectId, organisationId: data.organisationId };
    },
  });

  commandRoute(app, context, {
    url: '/v1/projects/:projectId/teams',
    tag: 'organisers',
    summary: 'Register a volunteer team of a project ("social worker + volunteers")',
    roles: ORGANISERS,
    scope,
    params: projectParams,
    body: z.strictObject({ teamId: idSchema.max(40), name: nameFieldSchema }),
    status: 201,
    response: z.object({ projectId: z.string(), teamId: z.string() }),
    command: ({ params, body }) => ({ type: 'RegisterTeam', ...params, ...body }),
    respond: (result) => {
      const data = eventData(result, 'TeamRegistered');
      return { projectId: data.projectId, teamId: data.teamId };
    },
  });

  commandRoute(app, context, {
    url: '/v1/projects/:projectId/teams/:teamId/members',
    tag: 'organisers',
    summary: 'Enrol a registered, active volunteer in a team',
    roles: ORGANISERS,
    scope,
    params: teamParams,
    body: z.strictObject({ volunteerId: idSchema }),
    status: 201,
    response: z.object({ teamId: z.string(), volunteerId: z.string() }),
    command: ({ params, body }) => ({ type: 'JoinTeam', ...params, memberVolunteerId: body.volunteerId }),
    respond: (result) => {
      const data = eventData(result, 'TeamMemberJoined');
      return { teamId: data.teamId, volunteerId: data.memberVolunteerId };
    },
  });
}

function groupPointsRoutes(app: TypedApp, context: ProjectRouteDependencies): void {
  const scope = projectScope(context);
  commandRoute(app, context, {
    url: '/v1/projects/:projectId/teams/:teamId/group-activities',
    tag: 'organisers',
    summary:
      "Confirm a team's group activity: the team earns group points (hours × rate × quality) under the policy at its start",
    roles: ORGANISERS,
    scope,
    params: teamParams,
    body: z.strictObject({
      activityId: idSchema,
      activity: textFieldSchema,
      startAt: wholeMinuteInstantSchema,
      endAt: wholeMinuteInstantSchema,
      qualityGrade: z.enum(QUALITY_GRADES).optional(),
      backdatingReason: backdatingReasonSchema
        .optional()
        .describe("An administrator's reason, required when the start is older than the back-dating window"),
    }),
    status: 201,
    response: z.object({
      activityId: z.string(),
      durationMinutes: z.number().int(),
      groupCentipoints: z.number().int(),
    }),
    command: ({ params, body }) => {
      const { qualityGrade, ...activity } = body;
      return {
        type: 'ConfirmGroupActivity',
        ...params,
        ...activity,
        ...(qualityGrade === undefined ? {} : { qualityGrade }),
      };
    },
    respond: (result) => {
      const data = eventData(result, 'GroupActivityConfirmed');
      return {
        activityId: data.activityId,
        durationMinutes: data.durationMinutes,
        groupCentipoints: data.centipoints,
      };
    },
  });

  commandRoute(app, context, {
    url: '/v1/projects/:projectId/teams/:teamId/group-points/donations',
    tag: 'organisers',
    summary: "Donate a team's group points to the donation pool: the only use group points have",
    roles: ORGANISERS,
    scope,
    params: teamParams,
    body: z.strictObject({ donationId: idSchema.max(18), centipoints: z.number().int().positive() }),
    status: 201,
    response: z.object({ donationId: z.string(), centipoints: z.number().int() }),
    command: ({ params, body }) => ({ type: 'DonateGroupPoints', ...params, ...body }),
    respond: (result) => {
      const data = eventData(result, 'GroupPointsDonated');
      return { donationId: data.donationId, centipoints: data.centipoints };
    },
  });
}

/** Any other use of group points is a route of its own so that the refusal carries the rule's code. */
function groupPointsUseRoute(app: TypedApp, context: ProjectRouteDependencies): void {
  commandRoute(app, context, {
    url: '/v1/projects/:projectId/teams/:teamId/group-points/uses',
    tag: 'partners',
    summary: 'Hold, redeem or transfer group points: always refused with GROUP_POINTS_DONATION_ONLY',
    roles: SPENDERS,
    scope: { describe: 'any (always refused)', resolve: () => 'any' },
    params: teamParams,
    body: z.strictObject({
      use: z.enum(GROUP_POINTS_FORBIDDEN_USES),
      centipoints: z.number().int().positive(),
    }),
    status: 200,
    response: z.object({}),
    command: ({ params, body }) => ({ type: 'UseGroupPoints', ...params, ...body }),
    respond: () => ({}),
  });
}

function readRoutes(app: TypedApp, context: ProjectRouteDependencies): void {
  const scope = projectScope(context);
  app.get(
    '/v1/projects/:projectId',
    {
      config: { access: { roles: READERS, scope } },
      schema: {
        tags: ['organisers'],
        summary:
          'A project: its organisation, leader (opened, or [erased]) and teams with members and group points',
        params: projectParams,
        response: {
          200: z.object({
            projectId: z.string(),
            organisationId: z.string(),
            name: z.string(),
            leader: z.object({ leaderId: z.string(), name: z.string(), contact: z.string() }),
            teams: z.array(
              z.object({
                teamId: z.string(),
                name: z.string(),
                memberVolunteerIds: z.array(z.string()),
                groupCentipoints: z.number().int(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { state } = await context.ledger.load('project', request.params.projectId);
      if (state.projectId === null || state.organisationId === null)
        throw projectNotFound(request.params.projectId);
      return {
        projectId: state.projectId,
        organisationId: state.organisationId,
        name: state.name ?? '',
        leader: {
          leaderId: state.leaderId ?? '',
          name: state.leaderName ?? '',
          contact: state.leaderContact ?? '',
        },
        teams: [...state.teams.values()].map((team) => ({
          teamId: team.teamId,
          name: team.name,
          memberVolunteerIds: [...team.memberIds].sort(),
          groupCentipoints: team.groupCentipoints,
        })),
      };
    },
  );
}

function statisticsRoutes(app: TypedApp, context: ProjectRouteDependencies): void {
  const scope = projectScope(context);
  app.get(
    '/v1/projects/:projectId/statistics',
    {
      config: { access: { roles: READERS, scope }, readsModels: true },
      schema: {
        tags: ['organisers'],
        summary: "A project's confirmed minutes, records and volunteers as of a local date (default today)",
        params: projectParams,
        querystring: readQuery.extend({ asOf: DAY_SCHEMA.optional() }),
        response: { 200: statisticsSchema.extend({ projectId: z.string() }) },
      },
    },
    async (request) => {
      const asOf = asOfDay(context, request.query.asOf);
      // An organiser's unknown project is 404 from the scope rule; an auditor's or admin's too.
      const { state } = await context.ledger.load('project', request.params.projectId);
      if (state.organisationId === null) throw projectNotFound(request.params.projectId);
      const queries = await readModels(context, request.query.minPosition);
      const statistics = await queries.projectStatistics(request.params.projectId, asOf);
      return { projectId: request.params.projectId, ...statisticsView(statistics) };
    },
  );

  app.get(
    '/v1/organisations/:organisationId/statistics',
    {
      config: {
        access: { roles: READERS, scope: scopeFromParam('organisation', 'organisationId') },
        readsModels: true,
      },
      schema: {
        tags: ['organisers'],
        summary:
          "An organisation's confirmed minutes, records and volunteers (all its projects and none) as of a local date",
        params: z.strictObject({ organisationId: idSchema }),
        querystring: readQuery.extend({ asOf: DAY_SCHEMA.optional() }),
        response: { 200: statisticsSchema.extend({ organisationId: z.string() }) },
      },
    },
    async (request) => {
      const asOf = asOfDay(context, request.query.asOf);
      const { organisationId } = request.params;
      const { state } = await context.ledger.load('organisation', organisationId);
      if (state.status === 'unregistered')
        throw new ProblemError(
          DOMAIN_ERROR_STATUS.ORGANISATION_NOT_FOUND,
          'ORGANISATION_NOT_FOUND',
          `no organisation ${organisationId}`,
        );
      const queries = await readModels(context, request.query.minPosition);
      const statistics = await queries.organisationStatistics(organisationId, asOf);
      return { organisationId, ...statisticsView(statistics) };
    },
  );
}

/** The project routes, as an encapsulated fastify plugin. */
export async function projectRoutes(app: TypedApp, context: ProjectRouteDependencies): Promise<void> {
  registrationRoutes(app, context);
  groupPointsRoutes(app, context);
  groupPointsUseRoute(app, context);
  readRoutes(app, context);
  statisticsRoutes(app, context);
}
