/**
 * Reads served from the read models (packages/projections): look-up by volunteer number, service
 * records, partner statements, community statistics, account balances, and as-of queries (those
 * are folded from the volunteer's stream, so they need no projector). A read that passes
 * `minPosition` (the position a write returned) waits until the read models include it, bounded
 * by READ_YOUR_WRITES_TIMEOUT_MS, then answers 503 READ_MODEL_BEHIND.
 */
import { z } from 'zod';
import { idSchema, instantSchema } from '@timebank/domain';
import { volunteerAsOf } from '@timebank/projections';
import { ANY_SCOPE, scopeFromParam, type ScopeRule } from '../auth/access.js';
import { inScope } from '../auth/principal.js';
import type { AppContext, TypedApp } from '../context.js';
import { ProblemError } from '../http/problem.js';
import { positionSchema } from '../http/write.js';

const readQuery = z.strictObject({ minPosition: positionSchema.optional() });
const looseRecord = z.record(z.string(), z.unknown());

/** Waits for the read models to include `minPosition`; without a projector, read models are unavailable. */
async function readModels(context: AppContext, minPosition: string | undefined) {
  const { projector, readModels: queries } = context;
  if (projector === null || queries === null) {
    throw ProblemError.http('READ_MODEL_BEHIND', 'read models are not running in this process');
  }
  if (minPosition !== undefined) {
    const reached = await projector.waitFor(BigInt(minPosition), context.config.readYourWritesTimeoutMs);
    if (!reached) {
      throw ProblemError.http(
        'READ_MODEL_BEHIND',
        `read models are at position ${projector.checkpoint()}, not yet ${minPosition}; retry shortly`,
      );
    }
  }
  return queries;
}

/** A desk may look up only volunteers of its community; the number is resolved through the read model. */
/** Like the look-up by ID number, another community's volunteer reads as nobody: no existence oracle. */
function byNumberScope(context: AppContext): ScopeRule {
  return {
    describe: "desk: the volunteer's community (another community's volunteer reads as not found)",
    async resolve(request) {
      const principal = request.principal;
      if (principal === null || principal.scope.kind === 'all') return 'any';
      const { volunteerNumber } = request.params as { volunteerNumber: string };
      const { minPosition } = request.query as { minPosition?: string };
      const found = await (await readModels(context, minPosition)).volunteerByNumber(volunteerNumber);
      if (found === null || !inScope(principal, { kind: 'community', id: found.community }))
        throw new ProblemError(404, 'VOLUNTEER_NOT_FOUND', `no volunteer numbered ${volunteerNumber}`);
      return { kind: 'community', id: found.community };
    },
  };
}

export function registerReadModelRoutes(app: TypedApp, context: AppContext): void {
  app.get(
    '/v1/volunteers/by-number/:volunteerNumber',
    {
      config: { access: { roles: ['desk', 'admin'], scope: byNumberScope(context) } },
      schema: {
        tags: ['desks'],
        summary: 'Find a volunteer by their unified volunteer number (read model)',
        params: z.strictObject({ volunteerNumber: idSchema }),
        querystring: readQuery,
        response: { 200: looseRecord },
      },
    },
    async (request) => {
      const found = await (
        await readModels(context, request.query.minPosition)
      ).volunteerByNumber(request.params.volunteerNumber);
      if (found === null) {
        throw new ProblemError(
          404,
          'VOLUNTEER_NOT_FOUND',
          `no volunteer numbered ${request.params.volunteerNumber}`,
        );
      }
      return { ...found };
    },
  );

  app.get(
    '/v1/partners/:partnerId/statement',
    {
      config: { access: { roles: ['partner', 'admin'], scope: scopeFromParam('partner', 'partnerId') } },
      schema: {
        tags: ['partners'],
        summary: "The partner's own statement: holds and settlement totals per local month",
        params: z.strictObject({ partnerId: idSchema }),
        querystring: readQuery.extend({
          period: z
            .string()
            .regex(/^\d{4}-\d{2}$/, 'expected YYYY-MM')
            .optional(),
        }),
        response: {
          200: z.object({
            partnerId: z.string(),
            holds: z.array(looseRecord),
            settlements: z.array(looseRecord),
          }),
        },
      },
    },
    async (request) => {
      const queries = await readModels(context, request.query.minPosition);
      const statement = await queries.partnerStatement(
        request.params.partnerId,
        request.query.period === undefined ? {} : { period: request.query.period },
      );
      return {
        partnerId: request.params.partnerId,
        holds: statement.holds.map((hold) => ({ ...hold })),
        settlements: statement.settlements.map((settlement) => ({ ...settlement })),
      };
    },
  );

  app.get(
    '/v1/communities/:community/statistics',
    {
      config: {
        access: { roles: ['desk', 'auditor', 'admin'], scope: scopeFromParam('community', 'community') },
      },
      schema: {
        tags: ['desks'],
        summary: 'Registered and active volunteers, hours per month and the star distribution of a community',
        params: z.strictObject({ community: idSchema }),
        querystring: readQuery,
        response: { 200: looseRecord },
      },
    },
    async (request) => {
      const queries = await readModels(context, request.query.minPosition);
      return {
        ...(await queries.communityStatistics({
          now: new Date(context.clock()).toISOString(),
          community: request.params.community,
        })),
      };
    },
  );

  app.get(
    '/v1/audit/balances',
    {
      config: { access: { roles: ['auditor', 'admin'], scope: ANY_SCOPE } },
      schema: {
        tags: ['auditors'],
        summary: 'Every double-entry account balance and their sum (zero in a sound ledger)',
        querystring: readQuery,
        response: {
          200: z.object({
            accounts: z.array(z.object({ account: z.string(), balanceCentipoints: z.number() })),
            totalCentipoints: z.number(),
          }),
        },
      },
    },
    async (request) => (await readModels(context, request.query.minPosition)).accountBalances(),
  );

  app.get(
    '/v1/audit/volunteers/:volunteerId/as-of',
    {
      config: { access: { roles: ['auditor', 'admin'], scope: ANY_SCOPE } },
      schema: {
        tags: ['auditors'],
        summary:
          "A volunteer's hours, stars and points as of a past position or instant, folded from the stream",
        params: z.strictObject({ volunteerId: idSchema }),
        querystring: z
          .strictObject({ position: positionSchema.optional(), at: instantSchema.optional() })
          .refine((query) => query.position !== undefined || query.at !== undefined, 'give position or at'),
        response: {
          200: z.object({ summary: looseRecord, position: positionSchema, eventsApplied: z.number() }),
        },
      },
    },
    async (request) => {
      const { position, at } = request.query;
      const result = await volunteerAsOf(
        context.store,
        request.params.volunteerId,
        {
          ...(position === undefined ? {} : { position: BigInt(position) }),
          ...(at === undefined ? {} : { at }),
        },
        context.ledger.rules,
      );
      if (result === null) {
        throw new ProblemError(
          404,
          'VOLUNTEER_NOT_FOUND',
          'the volunteer was not registered as of that point',
        );
      }
      return {
        summary: { ...result.summary },
        position: result.position.toString(),
        eventsApplied: result.eventsApplied,
      };
    },
  );
}
