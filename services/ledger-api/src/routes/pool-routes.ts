/**
 * The donation pool's outflow, for administrators: beneficiary categories (priority and monthly
 * allowance), beneficiaries, allocation runs, and the pool's state. A beneficiary then spends
 * their points with partners through the partner routes, under the same consent as a volunteer
 * (a spend code or a mandate given at their community's desk): see docs/domain.md.
 */
import { z } from 'zod';
import {
  beneficiaryIdSchema,
  categoryPrioritySchema,
  erasureReasonSchema,
  idSchema,
  localPeriodOf,
  nameFieldSchema,
  positiveCentipointsSchema,
  textFieldSchema,
  usableCentipoints,
  type DomainEvent,
  type EventOf,
} from '@timebank/domain';
import { ANY_SCOPE } from '../auth/access.js';
import { assertCommunityRegistered, readVolunteer } from '../auth/domain-scope.js';
import { ProblemError } from '../http/problem.js';
import { instantOnTheWire } from '../http/positions.js';
import { commandRoute, emptyBody, eventData, type CommandRouteDependencies } from './command-route.js';
import type { TypedApp } from './typed-app.js';

const ADMINS = ['admin'] as const;

export interface PoolRouteDependencies extends CommandRouteDependencies {
  /** Epoch milliseconds; the clock the ledger decides with. */
  readonly clock: () => number;
}

const categoryResponse = z.object({
  categoryId: z.string(),
  title: z.string(),
  priority: z.number().int().describe('1 is served first'),
  monthlyAllowanceCentipoints: z.number().int(),
});

const allocationResponse = z.object({
  allocationId: z.string(),
  beneficiaryId: z.string(),
  categoryId: z.string(),
  centipoints: z.number().int(),
});

/** The pool routes, as an encapsulated fastify plugin. */
// eslint-disable-next-line max-lines-per-function -- a route family is a table of route declarations (one object literal per route); its length counts routes, not branches
export async function poolRoutes(app: TypedApp, context: PoolRouteDependencies): Promise<void> {
  const { ledger } = context;

  commandRoute(app, context, {
    url: '/v1/admin/beneficiary-categories',
    tag: 'administrators',
    summary:
      'Configure a beneficiary category (e.g. elderly living alone, in hardship): its priority (1 first) and monthly allowance per beneficiary',
    roles: ADMINS,
    scope: ANY_SCOPE,
    params: z.strictObject({}),
    body: z.strictObject({
      categoryId: idSchema,
      title: textFieldSchema,
      priority: categoryPrioritySchema,
      monthlyAllowanceCentipoints: positiveCentipointsSchema,
    }),
    status: 200,
    response: categoryResponse,
    command: ({ body }) => ({ type: 'ConfigureBeneficiaryCategory', ...body }),
    respond: (result) => {
      const { categoryId, title, priority, monthlyAllowanceCentipoints } = eventData(
        result,
        'BeneficiaryCategoryConfigured',
      );
      return { categoryId, title, priority, monthlyAllowanceCentipoints };
    },
  });

  commandRoute(app, context, {
    url: '/v1/admin/beneficiaries',
    tag: 'administrators',
    summary:
      'Register a beneficiary of the donation pool in a category; name and contact are personal data, sealed',
    roles: ADMINS,
    scope: ANY_SCOPE,
    params: z.strictObject({}),
    body: z.strictObject({
      beneficiaryId: beneficiaryIdSchema,
      categoryId: idSchema,
      community: idSchema.describe("The community whose desk gives the beneficiary's spend consent"),
      name: nameFieldSchema,
      contact: textFieldSchema,
    }),
    status: 201,
    response: z.object({ beneficiaryId: z.string(), categoryId: z.string(), community: z.string() }),
    command: async ({ body }) => {
      await assertCommunityRegistered(ledger, body.community);
      return { type: 'RegisterBeneficiary', ...body };
    },
    respond: (result) => {
      const { beneficiaryId, categoryId, community } = eventData(result, 'BeneficiaryRegistered');
      return { beneficiaryId, categoryId, community };
    },
  });

  // Crypto-shredding of a beneficiary, as of a coordinator: the event first, then the key is destroyed.
  commandRoute(app, context, {
    url: '/v1/admin/beneficiaries/:beneficiaryId/erasure',
    tag: 'administrators',
    summary:
      "Erase a beneficiary's name and contact (PIPL Art. 47): destroys their data key; their points account stays, later allocation runs leave them out",
    roles: ADMINS,
    scope: ANY_SCOPE,
    params: z.strictObject({ beneficiaryId: beneficiaryIdSchema }),
    body: z.strictObject({ reason: erasureReasonSchema }),
    status: 200,
    response: z.object({
      beneficiaryId: z.string(),
      reason: erasureReasonSchema,
      erasedAt: instantOnTheWire,
    }),
    command: ({ params, body }) => ({
      type: 'EraseBeneficiaryData',
      beneficiaryId: params.beneficiaryId,
      reason: body.reason,
    }),
    respond: (result) => {
      const data = eventData(result, 'BeneficiaryDataErased');
      return { beneficiaryId: data.beneficiaryId, reason: data.reason, erasedAt: data.erasedAt };
    },
  });

  commandRoute(app, context, {
    url: '/v1/admin/donation-pool/allocations',
    tag: 'administrators',
    summary:
      "Run an allocation: top beneficiaries up to their category's monthly allowance, highest priority first, as far as the pool goes",
    roles: ADMINS,
    scope: ANY_SCOPE,
    params: z.strictObject({}),
    body: emptyBody,
    status: 201,
    response: z.object({
      runId: z.string(),
      period: z.string().describe('Local month, YYYY-MM, whose allowances the run filled'),
      allocations: z.array(allocationResponse),
    }),
    command: () => ({ type: 'AllocatePoolPoints' }),
    respond: (result) => {
      const allocated = result.events.filter(
        (event: DomainEvent): event is EventOf<'PoolPointsAllocated'> => event.type === 'PoolPointsAllocated',
      );
      const first = eventData(result, 'PoolPointsAllocated');
      return {
        runId: first.runId,
        period: first.period,
        allocations: allocated.map(({ data }) => ({
          allocationId: data.allocationId,
          beneficiaryId: data.beneficiaryId,
          categoryId: data.categoryId,
          centipoints: data.centipoints,
        })),
      };
    },
  });

  app.get(
    '/v1/admin/donation-pool',
    {
      config: { access: { roles: ADMINS, scope: ANY_SCOPE } },
      schema: {
        tags: ['administrators'],
        summary:
          "The pool's balance, its categories in serving order, and each beneficiary's allocation this local month (no personal data)",
        response: {
          200: z.object({
            balanceCentipoints: z.number().int(),
            period: z.string(),
            categories: z.array(categoryResponse),
            beneficiaries: z.array(
              z.object({
                beneficiaryId: z.string(),
                categoryId: z.string(),
                community: z.string(),
                allocatedThisPeriodCentipoints: z.number().int(),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      const { state } = await ledger.load('donation-pool');
      const now = new Date(context.clock()).toISOString();
      const period = localPeriodOf(now, ledger.rules.localTimeOffsetMinutes);
      const allocated = state.allocated.get(period);
      const categories = [...state.categories.values()]
        .sort((a, b) => a.priority - b.priority || (a.categoryId < b.categoryId ? -1 : 1))
        .map(({ categoryId, title, priority, monthlyAllowanceCentipoints }) => ({
          categoryId,
          title,
          priority,
          monthlyAllowanceCentipoints,
        }));
      const beneficiaries = [...state.beneficiaries.values()].map((beneficiary) => ({
        beneficiaryId: beneficiary.beneficiaryId,
        categoryId: beneficiary.categoryId,
        community: beneficiary.community,
        allocatedThisPeriodCentipoints: allocated?.get(beneficiary.beneficiaryId) ?? 0,
      }));
      return { balanceCentipoints: state.balanceCentipoints, period, categories, beneficiaries };
    },
  );

  app.get(
    '/v1/admin/beneficiaries/:beneficiaryId/points',
    {
      config: { access: { roles: ADMINS, scope: ANY_SCOPE } },
      schema: {
        tags: ['administrators'],
        summary: "A beneficiary's spending account: available and held points (no personal data)",
        params: z.strictObject({ beneficiaryId: beneficiaryIdSchema }),
        response: {
          200: z.object({
            beneficiaryId: z.string(),
            categoryId: z.string(),
            availableCentipoints: z.number().int(),
            heldCentipoints: z.number().int(),
          }),
        },
      },
    },
    async (request) => {
      const { beneficiaryId } = request.params;
      const { state: pool } = await ledger.load('donation-pool');
      const registered = pool.beneficiaries.get(beneficiaryId);
      if (registered === undefined)
        throw new ProblemError(404, 'BENEFICIARY_NOT_FOUND', `no beneficiary ${beneficiaryId}`);
      const nowMs = context.clock();
      // Before its first allocation the spending account is not open: it holds nothing yet.
      const balances = await readVolunteer(ledger, beneficiaryId, (state) => ({
        availableCentipoints:
          state.status === 'unregistered' ? 0 : Math.max(0, usableCentipoints(state, nowMs)),
        heldCentipoints: state.heldCentipoints,
      }));
      return { beneficiaryId, categoryId: registered.categoryId, ...balances };
    },
  );
}
