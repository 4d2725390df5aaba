/**
 * The auditor's as-of queries: a volunteer's hours, stars and points as of a past position or
 * instant, folded from their stream (`volunteer-as-of.ts`), named either by the internal id or by
 * the unified volunteer number (志愿者编号), which is what an auditor actually holds: it is
 * printed on certificates, the id never is. The number is resolved through the
 * volunteer read model; the figures still come from the stream, never from a read model.
 */
import { z } from 'zod';
import { formatInstant, idSchema, instantSchema, parseInstant } from '@timebank/domain';
import { ANY_SCOPE } from '../auth/access.js';
import { ProblemError } from '../http/problem.js';
import { positionSchema } from '../http/positions.js';
import { AS_OF_CLOCK_SKEW_MS } from './as-of-day.js';
import { readModels, type ReadModelRouteDependencies } from './read-model-routes.js';
import { volunteerNumberParamSchema } from './read-model-schemas.js';
import type { TypedApp } from './typed-app.js';
import { volunteerAsOf } from './volunteer-as-of.js';
import { volunteerSummarySchema } from './volunteer-routes.js';

const asOfQuery = z
  .strictObject({ position: positionSchema.optional(), at: instantSchema.optional() })
  .refine((query) => query.position !== undefined || query.at !== undefined, 'give position or at');

const asOfResponse = z.object({
  summary: volunteerSummarySchema.describe('The same summary as GET /v1/volunteers/:volunteerId'),
  position: positionSchema.describe('Position of the last event included (0 when none was)'),
  eventsApplied: z.number().int(),
});

/** As the bulk activity takes them: `TB` and twelve characters, upper case (the console folds what people type). */

/**
 * The instant to fold at: `at`, refused when it lies after now by the ledger's clock (`400
 * VALIDATION_FAILED` naming `query.at`), since figures that depend on the time (stars in effect,
 * points due to expire) would be projected into a future the ledger cannot know. A caller whose
 * clock runs up to AS_OF_CLOCK_SKEW_MS ahead (as the statistics routes allow) is answered as of now.
 */
function pastInstant(context: AsOfRouteDependencies, at: string): string {
  const nowMs = context.clock();
  const atMs = parseInstant(at);
  if (atMs <= nowMs) return at;
  const now = formatInstant(nowMs);
  if (atMs <= nowMs + AS_OF_CLOCK_SKEW_MS) return now;
  throw ProblemError.http('VALIDATION_FAILED', `at ${at} is after now (${now})`, [
    { field: 'query.at', message: `after now (${now}); the ledger answers as of the past only` },
  ]);
}

/** The volunteer as of the query's point, or 404 when they were not registered by then. */
async function answer(
  context: AsOfRouteDependencies,
  volunteerId: string,
  query: z.infer<typeof asOfQuery>,
): Promise<z.infer<typeof asOfResponse>> {
  const { position } = query;
  const at = query.at === undefined ? undefined : pastInstant(context, query.at);
  const result = await volunteerAsOf(context, volunteerId, {
    ...(position === undefined ? {} : { position: BigInt(position) }),
    ...(at === undefined ? {} : { at }),
  });
  if (result === null) {
    throw new ProblemError(404, 'VOLUNTEER_NOT_FOUND', 'the volunteer was not registered as of that point');
  }
  return {
    summary: result.summary,
    position: result.position.toString(),
    eventsApplied: result.eventsApplied,
  };
}

/**
 * The volunteer id holding `volunteerNumber`, or null. A number missing from the read model is
 * asked again once the read model has reached the store's head, so a volunteer registered just
 * before the request is found (`503 READ_MODEL_BEHIND` if it cannot get there in time); a number
 * that is found needs no wait, since a number never changes hands.
 */
async function volunteerIdOfNumber(
  context: AsOfRouteDependencies,
  volunteerNumber: string,
): Promise<string | null> {
  const now = await (await readModels(context, undefined)).volunteerIdsByNumber([volunteerNumber]);
  const found = now.get(volunteerNumber);
  if (found !== undefined) return found;
  const head = await context.store.headPosition();
  const caughtUp = await (await readModels(context, head.toString())).volunteerIdsByNumber([volunteerNumber]);
  return caughtUp.get(volunteerNumber) ?? null;
}

/** What the as-of routes use: the ledger to fold a stream, and the read models to resolve a number. */
export type AsOfRouteDependencies = Pick<
  ReadModelRouteDependencies,
  'ledger' | 'store' | 'projector' | 'readModels' | 'config' | 'clock'
>;

/** The as-of routes, as an encapsulated fastify plugin. */
export async function asOfRoutes(app: TypedApp, context: AsOfRouteDependencies): Promise<void> {
  app.get(
    '/v1/audit/volunteers/:volunteerId/as-of',
    {
      config: { access: { roles: ['auditor', 'admin'], scope: ANY_SCOPE } },
      schema: {
        tags: ['auditors'],
        summary:
          "A volunteer's hours, stars and points as of a past position or instant, folded from the stream",
        params: z.strictObject({ volunteerId: idSchema }),
        querystring: asOfQuery,
        response: { 200: asOfResponse },
      },
    },
    async (request) => answer(context, request.params.volunteerId, request.query),
  );

  app.get(
    '/v1/audit/volunteers/by-number/:volunteerNumber/as-of',
    {
      config: { access: { roles: ['auditor', 'admin'], scope: ANY_SCOPE }, readsModels: true },
      schema: {
        tags: ['auditors'],
        summary:
          'The same as-of query, the volunteer named by their unified volunteer number (resolved through the read model)',
        params: z.strictObject({ volunteerNumber: volunteerNumberParamSchema }),
        querystring: asOfQuery,
        response: { 200: asOfResponse },
      },
    },
    async (request) => {
      const { volunteerNumber } = request.params;
      const volunteerId = await volunteerIdOfNumber(context, volunteerNumber);
      if (volunteerId === null) {
        throw new ProblemError(404, 'VOLUNTEER_NOT_FOUND', `no volunteer numbered ${volunteerNumber}`);
      }
      return answer(context, volunteerId, request.query);
    },
  );
}
