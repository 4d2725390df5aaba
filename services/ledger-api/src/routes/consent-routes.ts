/**
 * The volunteer's consent to spend: one-time spend codes and standing mandates to one partner.
 * A signed-in volunteer acts for themselves; the registration desk of their community acts for a
 * volunteer who is present: it issues a code the volunteer hands to the partner, and
 * records the mandates the volunteer grants or withdraws.
 */
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { DomainError, idSchema, instantSchema, positiveCentipointsSchema } from '@timebank/domain';
import { domainActorOf, volunteerScope } from '../auth/domain-scope.js';
import { instantOnTheWire } from '../http/positions.js';
import { domainProblem } from '../http/domain-errors.js';
import { writeHeaders } from '../http/write.js';
import { commandRoute, emptyBody, eventData, type CommandRouteDependencies } from './command-route.js';
import { SPEND_CODE_DIGITS } from './spend-consent.js';
import type { TypedApp } from './typed-app.js';

/** The desk acts for a volunteer who is present; a signed-in volunteer acts for themselves. */
const DESK = ['desk', 'admin', 'volunteer'] as const;
const volunteerParams = z.strictObject({ volunteerId: idSchema });

/** Prefix of a spend code's QR payload, so a scanner can tell it from other QR codes. */
export const SPEND_CODE_QR_PREFIX = 'timebank-spend:';

/** Draws with node's CSPRNG, 8 digits at a time (randomInt's range is below 2^48). */
function drawSpendCode(): string {
  let code = '';
  while (code.length < SPEND_CODE_DIGITS) code += String(randomInt(0, 100_000_000)).padStart(8, '0');
  return code.slice(0, SPEND_CODE_DIGITS);
}

/**
 * Draws tried when a code collides with one issued before: with 10^16 codes a second collision
 * in a row means a broken random source, so 3 is ample.
 */
const SPEND_CODE_DRAWS_MAX = 3;

/** The consent routes, as an encapsulated fastify plugin. */
// eslint-disable-next-line max-lines-per-function -- a route family is a table of route declarations (one object literal per route); its length counts routes, not branches
export async function consentRoutes(app: TypedApp, context: CommandRouteDependencies): Promise<void> {
  const { ledger } = context;
  const scope = volunteerScope(ledger, { volunteer: true });

  // Not a `commandRoute`: its answer holds a secret, which must never be recorded for a repeat.
  // It takes an Idempotency-Key like every write, but a repeated request simply issues another
  // code (the first, never shown, lapses on its own): a code cannot be answered twice.
  app.post(
    '/v1/volunteers/:volunteerId/spend-codes',
    {
      config: { access: { roles: DESK, scope } },
      schema: {
        tags: ['consent'],
        summary:
          'Issue a one-time spend code for a volunteer who is present; shown once, valid for the policy lifetime (default 120 s)',
        headers: writeHeaders.extend({
          'idempotency-key': writeHeaders.shape['idempotency-key'].describe(
            'Required like every write; a repeat issues a new code (a code is shown only once)',
          ),
        }),
        params: volunteerParams,
        body: z.strictObject({
          partnerId: idSchema.optional().describe('Only this partner may use the code'),
          centipointsMax: positiveCentipointsSchema.optional().describe('Most one hold may take'),
        }),
        response: {
          201: z.object({
            spendCode: z.string().describe(`${SPEND_CODE_DIGITS} digits; shown once, never stored`),
            qrPayload: z.string(),
            volunteerId: z.string(),
            partnerId: z.string().nullable(),
            centipointsMax: z.number().int().nullable(),
            expiresAt: instantOnTheWire,
          }),
        },
      },
    },
    async (request, reply) => {
      const { volunteerId } = request.params;
      const actor = domainActorOf(request.principal!);
      for (let draw = 1; ; draw++) {
        const spendCode = drawSpendCode();
        const codeHash = ledger.spendCodeHash(spendCode);
        try {
          const result = await ledger.execute({
            type: 'IssueSpendCode',
            idempotencyKey: `spend-code:${codeHash}`,
            actor,
            volunteerId,
            codeHash,
            ...request.body,
          });
          const issued = eventData(result, 'SpendCodeIssued');
          return reply.code(201).send({
            spendCode,
            qrPayload: SPEND_CODE_QR_PREFIX + spendCode,
            volunteerId,
            partnerId: issued.partnerId,
            centipointsMax: issued.centipointsMax,
            expiresAt: issued.expiresAt,
          });
        } catch (error) {
          const collided = error instanceof DomainError && error.code === 'SPEND_CODE_COLLISION';
          if (!collided || draw >= SPEND_CODE_DRAWS_MAX) throw domainProblem(error) ?? error;
        }
      }
    },
  );

  commandRoute(app, context, {
    url: '/v1/volunteers/:volunteerId/mandates',
    tag: 'consent',
    summary:
      'Record a standing consent (mandate) the volunteer grants one partner, with a monthly cap (local calendar months, UTC+8)',
    roles: DESK,
    scope,
    params: volunteerParams,
    body: z.strictObject({
      partnerId: idSchema,
      monthlyCapCentipoints: positiveCentipointsSchema,
      endsAt: instantSchema.optional().describe('When the mandate lapses; omitted: until revoked'),
    }),
    status: 201,
    response: z.object({
      volunteerId: z.string(),
      partnerId: z.string(),
      monthlyCapCentipoints: z.number().int(),
      endsAt: instantOnTheWire.nullable(),
    }),
    command: ({ params, body }) => ({ type: 'GrantSpendMandate', volunteerId: params.volunteerId, ...body }),
    respond: (result) => {
      const granted = eventData(result, 'SpendMandateGranted');
      return {
        volunteerId: granted.volunteerId,
        partnerId: granted.partnerId,
        monthlyCapCentipoints: granted.monthlyCapCentipoints,
        endsAt: granted.endsAt,
      };
    },
  });

  commandRoute(app, context, {
    url: '/v1/volunteers/:volunteerId/mandates/:partnerId/revoke',
    tag: 'consent',
    summary: 'Withdraw a mandate at once: the next hold by that partner needs a spend code',
    roles: DESK,
    scope,
    params: z.strictObject({ volunteerId: idSchema, partnerId: idSchema }),
    body: emptyBody,
    status: 200,
    response: z.object({ volunteerId: z.string(), partnerId: z.string(), revokedAt: instantOnTheWire }),
    command: ({ params }) => ({ type: 'RevokeSpendMandate', ...params }),
    respond: (result) => {
      const revoked = eventData(result, 'SpendMandateRevoked');
      return { volunteerId: revoked.volunteerId, partnerId: revoked.partnerId, revokedAt: revoked.revokedAt };
    },
  });
}
