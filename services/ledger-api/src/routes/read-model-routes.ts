/**
 * Reads served from the read models (packages/projections): look-up by volunteer number, service
 * records, partner statements, community statistics and account balances (the auditor's as-of
 * queries, folded from the volunteer's stream, are in `as-of-routes.ts`). A read that passes
 * `minPosition` (the position a write returned) waits until the read models include it, bounded
 * by READ_YOUR_WRITES_TIMEOUT_MS, then answers 503 READ_MODEL_BEHIND; a `minPosition` beyond the
 * store's head is refused at once (`http/min-position.ts`).
 */
import { z } from 'zod';
import { formatInstant, idSchema, instantSchema } from '@timebank/domain';
import type { Ledger } from '@timebank/application';
import { isProjectionError, type ReadModelQueries } from '@timebank/projections';
import { ANY_SCOPE, scopeFromParam, type ScopeRule } from '../auth/access.js';
import { inScope } from '../auth/principal.js';
import { readPartner } from '../auth/domain-scope.js';
import { ProblemError } from '../http/problem.js';
import { positionSchema } from '../http/positions.js';
import {
  communityStatisticsSchema,
  holdRowSchema,
  serviceRecordRowSchema,
  settlementRowSchema,
  volunteerNumberParamSchema,
  volunteerRowSchema,
} from './read-model-schemas.js';
import { assertCommunityKnown, assertOrganisesService } from './known-ids.js';
import type { ProjectorHandle } from './projector-handle.js';
import type { StoreReader } from './store-reader.js';
import type { TypedApp } from './typed-app.js';

export const readQuery = z.strictObject({ minPosition: positionSchema.optional() });

/**
 * A page cursor of the shape `<instant>~<id>~<id>`: the last row's instant and two ids, named
 * `names` once parsed (a bad cursor is 400 naming `query.cursor`).
 */
function instantAndIdsCursor<const Names extends readonly [string, string, string]>(names: Names) {
  const id = '[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}';
  return z
    .string()
    .regex(
      new RegExp(`^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z~${id}~${id}$`),
      'expected the nextCursor of the previous page',
    )
    .transform((cursor) => {
      const parts = cursor.split('~');
      return Object.fromEntries(names.map((name, index) => [name, parts[index]!])) as Record<
        Names[number],
        string
      >;
    });
}

/** A statement page cursor: the last hold's instant, volunteer id and hold id, joined by `~`. */
const holdCursor = instantAndIdsCursor(['heldAt', 'volunteerId', 'holdId'] as const);

/** An organisation's records page cursor: the last record's start instant, volunteer id and record id. */
const recordCursor = instantAndIdsCursor(['startAt', 'volunteerId', 'recordId'] as const);

/** The instants that bound a local month `YYYY-MM` at `offsetMinutes` from UTC: [from, before). */
export function localMonthSpan(
  period: string,
  offsetMinutes: number,
): { heldFrom: string; heldBefore: string } {
  const year = Number(period.slice(0, 4));
  const month = Number(period.slice(5, 7));
  const start = (y: number, m: number): string => {
    const midnight = new Date(0);
    midnight.setUTCFullYear(y, m - 1, 1); // not Date.UTC, which reads years 0–99 as 1900–1999
    return formatInstant(midnight.getTime() - offsetMinutes * 60_000);
  };
  return {
    heldFrom: start(year, month),
    heldBefore: month === 12 ? start(year + 1, 1) : start(year, month + 1),
  };
}

/** Most items a paged list answers at once, in items. */
export const PAGE_SIZE_MAX = 1000;

/** A page's `limit` query parameter: a whole number from 1 to PAGE_SIZE_MAX, optional. */
export const pageSize = z
  .string()
  .regex(/^\d{1,4}$/, `must be a whole number from 1 to ${PAGE_SIZE_MAX}`)
  .transform(Number)
  .pipe(
    z
      .number()
      .int()
      .min(1, `must be a whole number from 1 to ${PAGE_SIZE_MAX}`)
      .max(PAGE_SIZE_MAX, `must be a whole number from 1 to ${PAGE_SIZE_MAX}`),
  )
  .optional();
/** A statement period: a local month, YYYY-MM with a month from 01 to 12. */
const periodSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM with a month from 01 to 12');

export interface ReadModelRouteDependencies {
  readonly ledger: Ledger;
  /** Read only: a volunteer as of a past point is folded from its stream. */
  readonly store: StoreReader;
  /** Epoch milliseconds; the clock the ledger decides with. */
  readonly clock: () => number;
  /** Null when no projector runs: then every read-model route answers READ_MODEL_BEHIND. */
  readonly projector: ProjectorHandle | null;
  readonly readModels: ReadModelQueries | null;
  readonly config: { readonly readYourWritesTimeoutMs: number };
}

/** Waits for the read models to include `minPosition`; without a projector, read models are unavailable. */
export async function readModels(
  context: Pick<ReadModelRouteDependencies, 'projector' | 'readModels' | 'config'>,
  minPosition: string | undefined,
) {
  const { projector, readModels: queries } = context;
  if (projector === null || queries === null) {
    throw ProblemError.http('READ_MODEL_BEHIND', 'read models are not running in this process');
  }
  if (minPosition !== undefined) {
    const reached = await projector
      .waitFor(BigInt(minPosition), context.config.readYourWritesTimeoutMs)
      .catch((error: unknown) => {
        // A stopped projector (shutting down, or failed) will not get there either: the same answer.
        if (isProjectionError(error, 'PROJECTION_STOPPED')) return false;
        throw error;
      });
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
function byNumberScope(context: ReadModelRouteDependencies): ScopeRule {
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

/** The read-model routes, as an encapsulated fastify plugin. */
// eslint-disable-next-line max-lines-per-function -- a route family is a table of route declarations (one object literal per route); its length counts routes, not branches
export async function readModelRoutes(app: TypedApp, context: ReadModelRouteDependencies): Promise<void> {
  app.get(
    '/v1/volunteers/by-number/:volunteerNumber',
    {
      config: { access: { roles: ['desk', 'admin'], scope: byNumberScope(context) }, readsModels: true },
      schema: {
        tags: ['desks'],
        summary: 'Find a volunteer by their unified volunteer number (read model)',
        params: z.strictObject({ volunteerNumber: volunteerNumberParamSchema }),
        querystring: readQuery,
        response: { 200: volunteerRowSchema },
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
      config: {
        // Auditors reconcile what the city settles with each partner (docs/console.md).
        access: {
          roles: ['partner', 'auditor', 'admin'],
          scope: scopeFromParam('partner', 'partnerId'),
        },
        readsModels: true,
      },
      schema: {
        tags: ['partners'],
        summary: "The partner's own statement: holds and settlement totals per local month",
        params: z.strictObject({ partnerId: idSchema }),
        querystring: readQuery.extend({
          period: periodSchema.optional(),
          cursor: holdCursor.optional().describe("The previous page's nextCursor (default: the newest hold)"),
          limit: pageSize.describe(`Holds per page, 1 to ${PAGE_SIZE_MAX} (default ${PAGE_SIZE_MAX})`),
        }),
        response: {
          200: z.object({
            partnerId: z.string(),
            holds: z.array(holdRowSchema),
            settlements: z.array(settlementRowSchema),
            nextCursor: z
              .string()
              .nullable()
              .describe('Pass as `cursor` for the next page of holds (which may be empty); null at the end'),
          }),
        },
      },
    },
    async (request) => {
      const { partnerId } = request.params;
      // As GET /offers does: a partner that was never registered is not found, not an empty statement.
      const registered = await readPartner(
        context.ledger,
        partnerId,
        (state) => state.status !== 'unregistered',
      );
      if (!registered) throw new ProblemError(404, 'PARTNER_NOT_FOUND', `no partner ${partnerId}`);
      const queries = await readModels(context, request.query.minPosition);
      const { period, cursor } = request.query;
      const limit = request.query.limit ?? PAGE_SIZE_MAX;
      const statement = await queries.partnerStatement(request.params.partnerId, {
        ...(period === undefined
          ? {}
          : { period, ...localMonthSpan(period, context.ledger.rules.localTimeOffsetMinutes) }),
        ...(cursor === undefined ? {} : { after: cursor }),
        limit,
      });
      const last = statement.holds.at(-1);
      return {
        partnerId: request.params.partnerId,
        holds: statement.holds.map((hold) => ({ ...hold })),
        settlements: statement.settlements.map((settlement) => ({ ...settlement })),
        nextCursor:
          last !== undefined && statement.holds.length === limit
            ? `${last.heldAt}~${last.volunteerId}~${last.holdId}`
            : null,
      };
    },
  );

  app.get(
    '/v1/organisations/:organisationId/service-records',
    {
      config: {
        access: {
          roles: ['organiser', 'admin'],
          scope: scopeFromParam('organisation', 'organisationId'),
        },
        readsModels: true,
      },
      schema: {
        tags: ['organisers'],
        summary:
          "The organisation's service records in service order, e.g. ?status=pending: the queue to confirm or reject",
        params: z.strictObject({ organisationId: idSchema }),
        querystring: readQuery.extend({
          status: z.enum(['pending', 'confirmed', 'rejected', 'corrected', 'voided']).optional(),
          startAfter: instantSchema.optional().describe('Only records that start after this instant'),
          cursor: recordCursor
            .optional()
            .describe("The previous page's nextCursor (default: from the start)"),
          limit: pageSize.describe(`Records per page, 1 to ${PAGE_SIZE_MAX} (default ${PAGE_SIZE_MAX})`),
        }),
        response: {
          200: z.object({
            records: z.array(serviceRecordRowSchema),
            nextCursor: z
              .string()
              .nullable()
              .describe('Pass as `cursor` for the next page (which may be empty); null at the end'),
          }),
        },
      },
    },
    async (request) => {
      const { status, startAfter, cursor } = request.query;
      const limit = request.query.limit ?? PAGE_SIZE_MAX;
      const queries = await readModels(context, request.query.minPosition);
      const { organisationId } = request.params;
      await assertOrganisesService(context.ledger, request.principal, organisationId, async () => {
        const any = await queries.serviceRecordsOfOrganisation(organisationId, { limit: 1 });
        return any.length > 0;
      });
      const records = await queries.serviceRecordsOfOrganisation(organisationId, {
        ...(status === undefined ? {} : { status }),
        ...(startAfter === undefined ? {} : { startAfter }),
        ...(cursor === undefined ? {} : { after: cursor }),
        limit,
      });
      const last = records.at(-1);
      // The volunteer number only, never a name: read models hold no personal data (docs/privacy.md).
      const numbers = await queries.volunteerNumbersById(records.map((record) => record.volunteerId));
      return {
        records: records.map((record) => ({
          volunteerId: record.volunteerId,
          volunteerNumber: numbers.get(record.volunteerId) ?? null,
          recordId: record.recordId,
          activity: record.activity,
          startAt: record.startAt,
          endAt: record.endAt,
          durationMinutes: record.durationMinutes,
          status: record.status,
        })),
        nextCursor:
          last !== undefined && records.length === limit
            ? `${last.startAt}~${last.volunteerId}~${last.recordId}`
            : null,
      };
    },
  );

  app.get(
    '/v1/communities/:community/statistics',
    {
      config: {
        access: { roles: ['desk', 'auditor', 'admin'], scope: scopeFromParam('community', 'community') },
        readsModels: true,
      },
      schema: {
        tags: ['desks'],
        summary: 'Registered and active volunteers, hours per month and the star distribution of a community',
        params: z.strictObject({ community: idSchema }),
        querystring: readQuery,
        response: { 200: communityStatisticsSchema },
      },
    },
    async (request) => {
      const queries = await readModels(context, request.query.minPosition);
      const { community } = request.params;
      const statistics = await queries.communityStatistics({
        now: new Date(context.clock()).toISOString(),
        community,
      });
      await assertCommunityKnown(
        context.ledger,
        request.principal,
        community,
        statistics.registeredVolunteers,
      );
      return {
        ...statistics,
        hoursPerMonth: [...statistics.hoursPerMonth],
        starDistribution: { ...statistics.starDistribution },
      };
    },
  );

  app.get(
    '/v1/audit/balances',
    {
      config: { access: { roles: ['auditor', 'admin'], scope: ANY_SCOPE }, readsModels: true },
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
}
