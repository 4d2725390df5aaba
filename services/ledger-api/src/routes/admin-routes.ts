/**
 * Administrators: organisations and partners (registration, suspension) and points-policy versions.
 * Every change is an event; nothing here rewrites history. (API keys: api-key-routes.ts.) Erasure
 * of a volunteer's personal data is an event too; the ledger then destroys the data key.
 */
import { z } from 'zod';
import {
  erasureReasonSchema,
  idSchema,
  instantSchema,
  pointsPolicyTermsSchema,
  nameFieldSchema,
  starReviewDecisionSchema,
  textFieldSchema,
} from '@timebank/domain';
import { ANY_SCOPE } from '../auth/access.js';
import { assertCommunityRegistered } from '../auth/domain-scope.js';
import { instantOnTheWire } from '../http/positions.js';
import { commandRoute, emptyBody, eventData, type CommandRouteDependencies } from './command-route.js';
import type { TypedApp } from './typed-app.js';

/**
 * A new partner's id also names the Kafka topic of its own hold events
 * (`timebank.partner.<partnerId>.points.v1`, docs/events.md). Kafka refuses ':' in a topic name,
 * and takes '.' and '_' for one character, so partners `shop.1` and `shop_1` could not both have
 * one: the relay would stop at the second. Partners registered before this rule keep their ids.
 */
const newPartnerIdSchema = idSchema.regex(
  /^[^.:]*$/,
  "a partner id may not contain '.' or ':': it names the partner's Kafka topic",
);

const ADMINS = ['admin'] as const;

/**
 * A points-policy version in a URL: a whole number. 0 passes, so that withdrawing the configured
 * initial policy is answered with the domain's own code rather than a shape error.
 */
const policyVersionParamSchema = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a version number (a whole number)')
  .transform(Number);

const policyWithdrawalSchema = z.object({
  withdrawnAt: instantOnTheWire,
  /** The id of the administrator's API key, as every event's actor names it. */
  withdrawnBy: z.string(),
  reason: z.string(),
});

export type AdminRouteDependencies = CommandRouteDependencies & {
  /** The ledger's clock (epoch ms): the points-policy list says what time it answered at. */
  readonly clock: () => number;
};

/** The admin routes, as an encapsulated fastify plugin. */
// eslint-disable-next-line max-lines-per-function -- a route family is a table of route declarations (one object literal per route); its length counts routes, not branches
export async function adminRoutes(app: TypedApp, context: AdminRouteDependencies): Promise<void> {
  commandRoute(app, context, {
    url: '/v1/admin/volunteers/:volunteerId/erasure',
    tag: 'administrators',
    summary: "Erase a volunteer's personal data (PIPL Art. 47): destroys the data key; hours and points stay",
    roles: ADMINS,
    scope: ANY_SCOPE,
    params: z.strictObject({ volunteerId: idSchema }),
    body: z.strictObject({ reason: erasureReasonSchema }),
    status: 200,
    response: z.object({ volunteerId: z.string(), reason: erasureReasonSchema, erasedAt: instantOnTheWire }),
    command: ({ params, body }) => ({
      type: 'ErasePersonalData',
      volunteerId: params.volunteerId,
      reason: body.reason,
    }),
    respond: (result) => {
      const data = eventData(result, 'PersonalDataErased');
      return { volunteerId: data.volunteerId, reason: data.reason, erasedAt: data.erasedAt };
    },
  });

  commandRoute(app, context, {
    url: '/v1/admin/volunteers/:volunteerId/star-review',
    tag: 'administrators',
    summary:
      'Resolve the star awards flagged for review: keep them, or revoke them (the stars fall to the highest award left)',
    roles: ADMINS,
    scope: ANY_SCOPE,
    params: z.strictObject({ volunteerId: idSchema }),
    body: z.strictObject({ decision: starReviewDecisionSchema, reason: textFieldSchema }),
    status: 200,
    response: z.object({
      volunteerId: z.string(),
      decision: starReviewDecisionSchema,
      levels: z.array(z.number().int()),
      awardedStars: z.number().int(),
      resolvedAt: instantOnTheWire,
    }),
    command: ({ params, body }) => ({
      type: 'ResolveStarAwardReview',
      volunteerId: params.volunteerId,
      decision: body.decision,
      reason: body.reason,
    }),
    respond: (result) => {
      const data = eventData(result, 'StarAwardReviewResolved');
      return {
        volunteerId: data.volunteerId,
        decision: data.decision,
        levels: data.levels,
        awardedStars: data.awardedLevelAfter,
        resolvedAt: data.resolvedAt,
      };
    },
  });

  commandRoute(app, context, {
    url: '/v1/admin/volunteers/:volunteerId/star-bar',
    tag: 'administrators',
    summary:
      'Bar star certification after fraudulent hours, for 1–3 years: star applications are refused until then',
    roles: ADMINS,
    scope: ANY_SCOPE,
    params: z.strictObject({ volunteerId: idSchema }),
    body: z.strictObject({ until: instantSchema, reason: textFieldSchema }),
    status: 200,
    response: z.object({
      volunteerId: z.string(),
      barredUntil: instantOnTheWire,
      barredAt: instantOnTheWire,
    }),
    command: ({ params, body }) => ({
      type: 'BarStarCertification',
      volunteerId: params.volunteerId,
      until: body.until,
      reason: body.reason,
    }),
    respond: (result) => {
      const data = eventData(result, 'StarCertificationBarred');
      return { volunteerId: data.volunteerId, barredUntil: data.barredUntil, barredAt: data.barredAt };
    },
  });

  commandRoute(app, context, {
    url: '/v1/admin/organisations',
    tag: 'administrators',
    summary: 'Register an organisation (the scope of organiser keys)',
    roles: ADMINS,
    scope: ANY_SCOPE,
    params: z.strictObject({}),
    body: z.strictObject({ organisationId: idSchema, name: nameFieldSchema, community: idSchema }),
    status: 201,
    response: z.object({ organisationId: z.string() }),
    command: async ({ body }) => {
      await assertCommunityRegistered(context.ledger, body.community);
      return { type: 'RegisterOrganisation', ...body };
    },
    respond: (result) => ({ organisationId: eventData(result, 'OrganisationRegistered').organisationId }),
  });

  commandRoute(app, context, {
    url: '/v1/admin/organisations/:organisationId/suspend',
    tag: 'administrators',
    summary: 'Suspend an organisation: its organiser keys stop working until it is reinstated',
    roles: ADMINS,
    scope: ANY_SCOPE,
    params: z.strictObject({ organisationId: idSchema }),
    body: z.strictObject({ reason: textFieldSchema }),
    status: 200,
    response: z.object({ organisationId: z.string(), status: z.literal('suspended') }),
    command: ({ params, body }) => ({
      type: 'SuspendOrganisation',
      organisationId: params.organisationId,
      reason: body.reason,
    }),
    respond: (result) => ({
      organisationId: eventData(result, 'OrganisationSuspended').organisationId,
      status: 'suspended' as const,
    }),
  });

  commandRoute(app, context, {
    url: '/v1/admin/organisations/:organisationId/reinstate',
    tag: 'administrators',
    summary: 'Reinstate a suspended organisation',
    roles: ADMINS,
    scope: ANY_SCOPE,
    params: z.strictObject({ organisationId: idSchema }),
    body: emptyBody,
    status: 200,
    response: z.object({ organisationId: z.string(), status: z.literal('active') }),
    command: ({ params }) => ({ type: 'ReinstateOrganisation', organisationId: params.organisationId }),
    respond: (result) => ({
      organisationId: eventData(result, 'OrganisationReinstated').organisationId,
      status: 'active' as const,
    }),
  });

  commandRoute(app, context, {
    url: '/v1/admin/partners',
    tag: 'administrators',
    summary: 'Register a partner service provider (the scope of partner keys)',
    roles: ADMINS,
    scope: ANY_SCOPE,
    params: z.strictObject({}),
    body: z.strictObject({ partnerId: newPartnerIdSchema, name: nameFieldSchema, community: idSchema }),
    status: 201,
    response: z.object({ partnerId: z.string() }),
    command: async ({ body }) => {
      await assertCommunityRegistered(context.ledger, body.community);
      return { type: 'RegisterPartner', ...body };
    },
    respond: (result) => ({ partnerId: eventData(result, 'PartnerRegistered').partnerId }),
  });

  commandRoute(app, context, {
    url: '/v1/admin/partners/:partnerId/suspend',
    tag: 'administrators',
    summary: 'Suspend a partner: it can no longer hold or redeem points',
    roles: ADMINS,
    scope: ANY_SCOPE,
    params: z.strictObject({ partnerId: idSchema }),
    body: z.strictObject({ reason: textFieldSchema }),
    status: 200,
    response: z.object({ partnerId: z.string(), status: z.literal('suspended') }),
    command: ({ params, body }) => ({
      type: 'SuspendPartner',
      partnerId: params.partnerId,
      reason: body.reason,
    }),
    respond: (result) => ({
      partnerId: eventData(result, 'PartnerSuspended').partnerId,
      status: 'suspended' as const,
    }),
  });

  commandRoute(app, context, {
    url: '/v1/admin/partners/:partnerId/reinstate',
    tag: 'administrators',
    summary: 'Reinstate a suspended partner',
    roles: ADMINS,
    scope: ANY_SCOPE,
    params: z.strictObject({ partnerId: idSchema }),
    body: emptyBody,
    status: 200,
    response: z.object({ partnerId: z.string(), status: z.literal('active') }),
    command: ({ params }) => ({ type: 'ReinstatePartner', partnerId: params.partnerId }),
    respond: (result) => ({
      partnerId: eventData(result, 'PartnerReinstated').partnerId,
      status: 'active' as const,
    }),
  });

  commandRoute(app, context, {
    url: '/v1/admin/points-policy',
    tag: 'administrators',
    summary: 'Add a points-policy version, effective from a future time; earlier awards never change',
    roles: ADMINS,
    scope: ANY_SCOPE,
    params: z.strictObject({}),
    body: z.strictObject({ effectiveFrom: instantSchema, terms: pointsPolicyTermsSchema.strict() }),
    status: 201,
    response: z.object({ version: z.number().int(), effectiveFrom: instantOnTheWire }),
    command: ({ body }) => ({
      type: 'ChangePointsPolicy',
      effectiveFrom: body.effectiveFrom,
      terms: body.terms,
    }),
    respond: (result) => {
      const changed = eventData(result, 'PointsPolicyChanged');
      return { version: changed.version, effectiveFrom: changed.effectiveFrom };
    },
  });

  commandRoute(app, context, {
    url: '/v1/admin/points-policy/:version/withdraw',
    tag: 'administrators',
    summary:
      'Withdraw a points-policy version that has not taken effect yet: it then applies to nothing and no longer blocks later versions',
    roles: ADMINS,
    scope: ANY_SCOPE,
    params: z.strictObject({ version: policyVersionParamSchema }),
    body: z.strictObject({ reason: textFieldSchema }),
    status: 200,
    response: z.object({ version: z.number().int(), reason: z.string(), withdrawnAt: instantOnTheWire }),
    command: ({ params, body }) => ({
      type: 'WithdrawPointsPolicyVersion',
      version: params.version,
      reason: body.reason,
    }),
    respond: (result) => {
      const withdrawn = eventData(result, 'PointsPolicyVersionWithdrawn');
      return { version: withdrawn.version, reason: withdrawn.reason, withdrawnAt: withdrawn.withdrawnAt };
    },
  });

  app.get(
    '/v1/admin/points-policy',
    {
      config: { access: { roles: ['admin', 'auditor'], scope: ANY_SCOPE } },
      schema: {
        tags: ['administrators'],
        summary: 'Every points-policy version; version 0 is the configured initial policy',
        response: {
          200: z.object({
            asOf: instantOnTheWire.describe(
              "The ledger's clock when it answered: a version whose effectiveFrom is later has not taken effect yet and can still be withdrawn",
            ),
            versions: z.array(
              z.object({
                version: z.number().int(),
                effectiveFrom: instantOnTheWire.nullable(),
                terms: pointsPolicyTermsSchema,
                withdrawal: policyWithdrawalSchema
                  .nullable()
                  .describe('Who withdrew the version, when and why; null unless withdrawn'),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      const { state } = await context.ledger.load('policy');
      const versions = state.versions.map((version) => ({
        version: version.version,
        effectiveFrom: new Date(version.effectiveFromMs).toISOString(),
        terms: version.terms,
        withdrawal:
          version.withdrawal === undefined
            ? null
            : {
                withdrawnAt: version.withdrawal.withdrawnAt,
                withdrawnBy: version.withdrawal.actor.id,
                reason: version.withdrawal.reason,
              },
      }));
      return {
        asOf: new Date(context.clock()).toISOString(),
        versions: [
          {
            version: 0,
            effectiveFrom: null,
            terms: context.ledger.rules.initialPointsPolicy,
            withdrawal: null,
          },
          ...versions,
        ],
      };
    },
  );
}
