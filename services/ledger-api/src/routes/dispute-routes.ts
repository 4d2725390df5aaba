/**
 * Disputes: a volunteer's report that a record is wrong (filed today by the desk of their
 * community or an administrator on the volunteer's behalf; the volunteer role can be added to
 * `FILERS` once it exists, the domain already accepts a volunteer acting for themself), the
 * organising organisation's queue of open disputes, and its resolution by a correction, a void
 * or a dismissal with a reason. The outcome is in the volunteer's history like any event.
 */
import { z } from 'zod';
import {
  DISPUTE_KINDS,
  DISPUTE_OUTCOMES,
  freeTextSchema,
  idSchema,
  textFieldSchema,
  wholeMinuteInstantSchema,
} from '@timebank/domain';
import type { ReadModelQueries } from '@timebank/projections';
import { scopeFromParam } from '../auth/access.js';
import { disputeScope, volunteerScope } from '../auth/domain-scope.js';
import { instantOnTheWire, positionSchema } from '../http/positions.js';
import { commandRoute, eventData, type CommandRouteDependencies } from './command-route.js';
import type { ProjectorHandle } from './projector-handle.js';
import { readModels } from './read-model-routes.js';
import type { TypedApp } from './typed-app.js';

const FILERS = ['desk', 'admin'] as const;
const RESOLVERS = ['organiser', 'admin'] as const;

export interface DisputeRouteDependencies extends CommandRouteDependencies {
  /** Null when no projector runs: then the queue answers READ_MODEL_BEHIND. */
  readonly projector: ProjectorHandle | null;
  readonly readModels: ReadModelQueries | null;
  readonly config: { readonly readYourWritesTimeoutMs: number };
}

const disputeRowSchema = z.object({
  volunteerId: z.string(),
  volunteerNumber: z
    .string()
    .describe('The number the desk issued (TB…), which organisers know the volunteer by'),
  disputeId: z.string(),
  kind: z.enum(DISPUTE_KINDS),
  recordId: z.string().nullable(),
  filedAt: instantOnTheWire,
  text: z.string(),
  status: z.enum(['open', 'resolved']),
  outcome: z.enum(DISPUTE_OUTCOMES).nullable(),
  resultingRecordId: z.string().nullable(),
  resolvedAt: instantOnTheWire.nullable(),
});

/** The dispute routes, as an encapsulated fastify plugin. */
// eslint-disable-next-line max-lines-per-function -- a route family is a table of route declarations (one object literal per route); its length counts routes, not branches
export async function disputeRoutes(app: TypedApp, context: DisputeRouteDependencies): Promise<void> {
  const { ledger } = context;

  commandRoute(app, context, {
    url: '/v1/volunteers/:volunteerId/disputes',
    tag: 'desks',
    summary:
      "Report, on the volunteer's behalf, that a record is wrong (missing hours, wrong times, not theirs)",
    roles: FILERS,
    scope: volunteerScope(ledger),
    params: z.strictObject({ volunteerId: idSchema }),
    body: z.strictObject({
      kind: z.enum(DISPUTE_KINDS),
      recordId: idSchema.optional().describe('The disputed record; required unless the hours are missing'),
      organisationId: idSchema
        .optional()
        .describe('For missing hours: the organisation that ran the activity'),
      text: freeTextSchema({ lengthMax: 2000 }).describe("The volunteer's own words"),
    }),
    status: 201,
    response: z.object({ disputeId: z.string(), organisationId: z.string() }),
    command: ({ params, body }) => ({ type: 'FileDispute', volunteerId: params.volunteerId, ...body }),
    respond: (result) => {
      const filed = eventData(result, 'DisputeFiled');
      return { disputeId: filed.disputeId, organisationId: filed.organisationId };
    },
  });

  commandRoute(app, context, {
    url: '/v1/volunteers/:volunteerId/disputes/:disputeId/resolve',
    tag: 'organisers',
    summary:
      'Resolve a dispute: correct the record (or record the missing hours), void it, or dismiss the report, with a reason',
    roles: RESOLVERS,
    scope: disputeScope(ledger),
    params: z.strictObject({ volunteerId: idSchema, disputeId: idSchema }),
    body: z.strictObject({
      outcome: z.enum(DISPUTE_OUTCOMES),
      reason: textFieldSchema.describe('Shown to the volunteer'),
      activity: textFieldSchema.optional(),
      startAt: wholeMinuteInstantSchema.optional(),
      endAt: wholeMinuteInstantSchema.optional(),
    }),
    status: 200,
    response: z.object({
      disputeId: z.string(),
      outcome: z.enum(DISPUTE_OUTCOMES),
      resultingRecordId: z.string().nullable(),
    }),
    command: ({ params, body }) => ({ type: 'ResolveDispute', ...params, ...body }),
    respond: (result) => {
      const resolved = eventData(result, 'DisputeResolved');
      return {
        disputeId: resolved.disputeId,
        outcome: resolved.outcome,
        resultingRecordId: resolved.resultingRecordId ?? null,
      };
    },
  });

  app.get(
    '/v1/organisations/:organisationId/disputes',
    {
      config: {
        access: { roles: RESOLVERS, scope: scopeFromParam('organisation', 'organisationId') },
        readsModels: true,
      },
      schema: {
        tags: ['organisers'],
        summary: "The organisation's dispute queue: open disputes, oldest first (or resolved ones)",
        params: z.strictObject({ organisationId: idSchema }),
        querystring: z.strictObject({
          status: z.enum(['open', 'resolved']).default('open'),
          minPosition: positionSchema.optional(),
        }),
        response: { 200: z.object({ organisationId: z.string(), disputes: z.array(disputeRowSchema) }) },
      },
    },
    async (request) => {
      const { organisationId } = request.params;
      const queries = await readModels(context, request.query.minPosition);
      const rows = await queries.disputesOfOrganisation(organisationId, request.query.status);
      // The read model keeps no personal data: the volunteer's words come from their stream, opened.
      const disputes = await Promise.all(
        rows.map(async (row) => {
          const { state } = await ledger.load('volunteer', row.volunteerId);
          return {
            ...row,
            volunteerNumber: state.volunteerNumber ?? '',
            kind: row.kind as (typeof DISPUTE_KINDS)[number],
            status: row.status as 'open' | 'resolved',
            outcome: row.outcome as (typeof DISPUTE_OUTCOMES)[number] | null,
            text: state.disputes.get(row.disputeId)?.text ?? '',
          };
        }),
      );
      return { organisationId, disputes };
    },
  );
}
