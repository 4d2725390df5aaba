/**
 * Partner service providers: their offers, a volunteer's redeemable points (and nothing else about
 * the volunteer), and hold / capture / release / redeem. Every route is scoped to the partner in
 * the path, so a partner can never act for or read another partner.
 */
import { z } from 'zod';
import {
  effectiveStarLevel,
  hasMandateInForce,
  idSchema,
  policyInForceAt,
  positiveCentipointsSchema,
  textFieldSchema,
  usableCentipoints,
  type PolicyState,
  type VolunteerState,
} from '@timebank/domain';
import { scopeFromParam } from '../auth/access.js';
import { readPartner, readVolunteer } from '../auth/domain-scope.js';
import { requestReader, requestReaderNow } from '../auth/request-reader.js';
import type { SpendCodeGuard } from '../auth/spend-code-guard.js';
import { DOMAIN_ERROR_STATUS } from '../http/domain-errors.js';
import { instantOnTheWire } from '../http/positions.js';
import { ProblemError } from '../http/problem.js';
import { commandRoute, eventData, type CommandRouteDependencies } from './command-route.js';
import { countRefusedCode, NAME_A_CONSENT, spendConsentFields, spendTargetOf } from './spend-consent.js';
import type { TypedApp } from './typed-app.js';

const PARTNERS = ['partner', 'admin'] as const;

interface SpendBody {
  readonly volunteerId?: string | undefined;
  readonly spendCode?: string | undefined;
}
const namesAConsent = (body: SpendBody): boolean =>
  body.volunteerId !== undefined || body.spendCode !== undefined;
const partnerParams = z.strictObject({ partnerId: idSchema });
const holdParams = z.strictObject({ partnerId: idSchema, holdId: idSchema });
const holdResponse = z.object({ holdId: z.string(), volunteerId: z.string(), centipoints: z.number().int() });

export interface PartnerRouteDependencies extends CommandRouteDependencies {
  /** Epoch milliseconds; the clock the ledger decides with. */
  readonly clock: () => number;
  /** Counts wrong spend codes and locks out the guessers. */
  readonly spendCodeGuard: SpendCodeGuard;
}

/** The partner routes, as an encapsulated fastify plugin. */
// eslint-disable-next-line max-lines-per-function -- a route family is a table of route declarations (one object literal per route); its length counts routes, not branches
export async function partnerRoutes(app: TypedApp, context: PartnerRouteDependencies): Promise<void> {
  const { ledger, spendCodeGuard } = context;
  const scope = scopeFromParam('partner', 'partnerId');
  const countRefused = (
    error: unknown,
    input: { params: { partnerId: string }; body: SpendBody; sourceAddress: string },
  ): void =>
    countRefusedCode(
      spendCodeGuard,
      { partnerId: input.params.partnerId, sourceAddress: input.sourceAddress },
      input.body,
      error,
    );

  /** The star level the points policy in force at `nowMs` asks of a volunteer who redeems. */
  const minStarAt = (policy: PolicyState, nowMs: number): number =>
    policyInForceAt(policy, ledger.rules, nowMs).terms.minStarToRedeem;
  /**
   * A volunteer's redeemable points for the partner; `no-consent` without the partner's mandate in
   * force, and for an id that names nobody: a partner without consent learns nothing of who exists,
   * as on the hold route (it was told 404 VOLUNTEER_NOT_FOUND for an unknown id and 403 for a
   * real volunteer). The state may be the cache's: read, never kept.
   */
  const redeemableOf = (
    state: VolunteerState,
    partnerId: string,
    minStar: number,
    nowMs: number,
  ): number | 'no-consent' => {
    if (state.status === 'unregistered') return 'no-consent';
    // A balance is the volunteer's to show: only a partner with a mandate in force may ask.
    if (!hasMandateInForce(state, partnerId, nowMs)) return 'no-consent';
    // The star rule is a volunteer's; a donation-pool beneficiary spends without stars.
    const starTooLow = state.kind !== 'beneficiary' && effectiveStarLevel(state, nowMs) < minStar;
    // An erased volunteer's stream accepts no hold (VOLUNTEER_PERSONAL_DATA_ERASED): nothing to redeem.
    if (state.status !== 'active' || state.personalDataErased || starTooLow) return 0;
    return Math.max(0, usableCentipoints(state, nowMs));
  };
  const redeemableAnswer = (
    volunteerId: string,
    redeemable: number | 'no-consent',
  ): { volunteerId: string; redeemableCentipoints: number } => {
    if (redeemable === 'no-consent') {
      throw new ProblemError(
        DOMAIN_ERROR_STATUS.CONSENT_REQUIRED,
        'CONSENT_REQUIRED',
        'the volunteer has not given this partner a standing mandate',
      );
    }
    return { volunteerId, redeemableCentipoints: redeemable };
  };

  app.get(
    '/v1/partners/:partnerId/offers',
    {
      config: { access: { roles: PARTNERS, scope } },
      schema: {
        tags: ['partners'],
        summary: "The partner's offers and their prices",
        params: partnerParams,
        response: {
          200: z.object({
            partnerId: z.string(),
            status: z.enum(['active', 'suspended']),
            offers: z.array(
              z.object({
                offerId: z.string(),
                title: z.string(),
                priceCentipoints: z.number().int(),
                cashCopayFen: z
                  .number()
                  .int()
                  .describe('低偿: cash asked on top of the points, in fen; 0 if none'),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { partnerId } = request.params;
      const found = await readPartner(ledger, partnerId, (state) =>
        state.status === 'unregistered' ? null : { status: state.status, offers: [...state.offers.values()] },
      );
      if (found === null) throw new ProblemError(404, 'PARTNER_NOT_FOUND', `no partner ${partnerId}`);
      return { partnerId, ...found };
    },
  );

  commandRoute(app, context, {
    url: '/v1/partners/:partnerId/offers',
    tag: 'partners',
    summary:
      'Publish an offer with its price in centipoints and, for a 低偿 (low-cost) offer, a cash co-payment in fen',
    roles: PARTNERS,
    scope,
    params: partnerParams,
    body: z.strictObject({
      offerId: idSchema,
      title: textFieldSchema,
      priceCentipoints: positiveCentipointsSchema,
      // Any number here: the decider answers a bad amount with OFFER_CASH_COPAY_INVALID and the limit.
      cashCopayFen: z.number().optional(),
    }),
    status: 201,
    response: z.object({ offerId: z.string() }),
    command: ({ params, body }) => ({ type: 'PublishPartnerOffer', partnerId: params.partnerId, ...body }),
    respond: (result) => ({ offerId: eventData(result, 'PartnerOfferPublished').offerId }),
  });

  app.get(
    '/v1/partners/:partnerId/volunteers/:volunteerId/redeemable-points',
    {
      config: { access: { roles: PARTNERS, scope } },
      schema: {
        tags: ['partners'],
        summary:
          "What a redemption needs to know: the volunteer's redeemable points, no identity and no hours; needs the volunteer's mandate",
        params: z.strictObject({ partnerId: idSchema, volunteerId: idSchema }),
        response: { 200: z.object({ volunteerId: z.string(), redeemableCentipoints: z.number().int() }) },
      },
    },
    (request) => {
      const { partnerId, volunteerId } = request.params;
      // Both streams on the request's one freshness check (the key's active check made it): the
      // answer is as of one instant within this request. Once the check is made and both states
      // are cached and current, the answer is computed without a promise (issue #15).
      const reader = requestReaderNow(ledger, request);
      const policy = reader?.current('policy');
      const volunteer = reader?.current('volunteer', volunteerId);
      if (policy !== undefined && volunteer !== undefined) {
        const nowMs = context.clock();
        const minStar = minStarAt(policy.state, nowMs);
        return redeemableAnswer(volunteerId, redeemableOf(volunteer.state, partnerId, minStar, nowMs));
      }
      return (async () => {
        const checked = await requestReader(ledger, request);
        const { state: policyState } = await checked.load('policy');
        const nowMs = context.clock();
        const minStar = minStarAt(policyState, nowMs);
        const redeemable = await readVolunteer(
          ledger,
          volunteerId,
          (state) => redeemableOf(state, partnerId, minStar, nowMs),
          checked,
        );
        return redeemableAnswer(volunteerId, redeemable);
      })();
    },
  );

  commandRoute(app, context, {
    url: '/v1/partners/:partnerId/holds',
    tag: 'partners',
    summary:
      "Hold points for an offer with the volunteer's consent (a spend code or a mandate); capture or release it later, or it expires after its timeout",
    roles: PARTNERS,
    scope,
    params: partnerParams,
    body: z
      .strictObject({
        ...spendConsentFields,
        offerId: idSchema,
        centipoints: positiveCentipointsSchema,
        holdTimeoutSeconds: z.number().int().positive().optional(),
      })
      .refine(namesAConsent, NAME_A_CONSENT),
    status: 201,
    response: holdResponse.extend({ expiresAt: instantOnTheWire }),
    command: async ({ params, body, sourceAddress }) => ({
      type: 'HoldPoints',
      partnerId: params.partnerId,
      ...(await spendTargetOf(ledger, spendCodeGuard, { partnerId: params.partnerId, sourceAddress }, body)),
      offerId: body.offerId,
      centipoints: body.centipoints,
      ...(body.holdTimeoutSeconds === undefined ? {} : { holdTimeoutSeconds: body.holdTimeoutSeconds }),
    }),
    onRefused: countRefused,
    respond: (result) => {
      const held = eventData(result, 'PointsHeld');
      return {
        holdId: held.holdId,
        volunteerId: held.volunteerId,
        centipoints: held.centipoints,
        expiresAt: held.expiresAt,
      };
    },
  });

  for (const action of ['capture', 'release'] as const) {
    commandRoute(app, context, {
      url: `/v1/partners/:partnerId/holds/:holdId/${action}`,
      tag: 'partners',
      summary:
        action === 'capture'
          ? 'Capture a hold: the service was delivered'
          : 'Release a hold: the points go back',
      roles: PARTNERS,
      scope,
      params: holdParams,
      body: z.strictObject({ volunteerId: idSchema }),
      status: 200,
      response: holdResponse,
      command: ({ params, body }) => ({
        type: action === 'capture' ? 'CapturePoints' : 'ReleasePoints',
        partnerId: params.partnerId,
        holdId: params.holdId,
        volunteerId: body.volunteerId,
      }),
      respond: (result) => {
        const resolved = eventData(result, action === 'capture' ? 'PointsCaptured' : 'PointsReleased');
        return {
          holdId: resolved.holdId,
          volunteerId: resolved.volunteerId,
          centipoints: resolved.centipoints,
        };
      },
    });
  }

  commandRoute(app, context, {
    url: '/v1/partners/:partnerId/redemptions',
    tag: 'partners',
    summary:
      "Redeem points at once (hold and capture in one step) with the volunteer's consent; never overdraws",
    roles: PARTNERS,
    scope,
    params: partnerParams,
    body: z
      .strictObject({ ...spendConsentFields, offerId: idSchema, centipoints: positiveCentipointsSchema })
      .refine(namesAConsent, NAME_A_CONSENT),
    status: 201,
    response: holdResponse,
    command: async ({ params, body, sourceAddress }) => ({
      type: 'RedeemPoints',
      partnerId: params.partnerId,
      ...(await spendTargetOf(ledger, spendCodeGuard, { partnerId: params.partnerId, sourceAddress }, body)),
      offerId: body.offerId,
      centipoints: body.centipoints,
    }),
    onRefused: countRefused,
    respond: (result) => {
      const captured = eventData(result, 'PointsCaptured');
      return {
        holdId: captured.holdId,
        volunteerId: captured.volunteerId,
        centipoints: captured.centipoints,
      };
    },
  });
}
