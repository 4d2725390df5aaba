/**
 * Volunteers as users: a desk issues an activation code after checking the person's
 * ID; the volunteer sets a passphrase with it, signs in for a session token and signs out. The
 * credentials are events of the volunteer's credentials stream (`auth/volunteer-credentials.ts`).
 *
 * None of these is a `commandRoute`: each answer holds a secret (a code, a token) that must never
 * be recorded for a repeat. They take an Idempotency-Key like every write, but a repeat is simply
 * a new request.
 */
import { z } from 'zod';
import { idSchema, VOLUNTEER_NUMBER_PATTERN } from '@timebank/domain';
import type { Ledger } from '@timebank/application';
import { ANY_SCOPE, presentedKey } from '../auth/access.js';
import { readVolunteer, volunteerScope } from '../auth/domain-scope.js';
import { actorOf } from '../auth/principal.js';
import {
  ACTIVATION_CODE_LIFETIME_SECONDS,
  SESSION_LIFETIME_SECONDS,
  type VolunteerCredentials,
} from '../auth/volunteer-credentials.js';
import { instantOnTheWire } from '../http/positions.js';
import { ProblemError } from '../http/problem.js';
import { writeHeaders } from '../http/write.js';
import type { TypedApp } from './typed-app.js';

export interface VolunteerSessionRouteDependencies {
  readonly ledger: Ledger;
  readonly volunteers: VolunteerCredentials;
}

const volunteerNumberSchema = z.string().regex(VOLUNTEER_NUMBER_PATTERN, 'must be a volunteer number, TB…');
/** At least 10 characters (NIST SP 800-63B asks for 8; a passphrase is longer); at most 200, scrypt's input stays small. */
const passphraseSchema = z.string().min(10).max(200);
const activationCodeSchema = z.string().min(1).max(40);

// eslint-disable-next-line max-lines-per-function -- a route family is a table of route declarations (one object literal per route); its length counts routes, not branches
export async function volunteerSessionRoutes(
  app: TypedApp,
  context: VolunteerSessionRouteDependencies,
): Promise<void> {
  const { ledger, volunteers } = context;

  app.post(
    '/v1/volunteers/:volunteerId/activation-codes',
    {
      config: { access: { roles: ['desk', 'admin'], scope: volunteerScope(ledger) } },
      schema: {
        tags: ['volunteer sessions'],
        summary: `Issue a one-time activation code (after checking the person's ID), valid ${ACTIVATION_CODE_LIFETIME_SECONDS / 3600} h; also resets a forgotten passphrase`,
        headers: writeHeaders,
        params: z.strictObject({ volunteerId: idSchema }),
        body: z.strictObject({}),
        response: {
          201: z.object({
            volunteerId: z.string(),
            volunteerNumber: z.string(),
            activationCode: z.string().describe('12 base-32 characters in groups of four; shown once'),
            expiresAt: instantOnTheWire,
          }),
        },
      },
    },
    async (request, reply) => {
      const { volunteerId } = request.params;
      const { status, volunteerNumber, erased } = await readVolunteer(ledger, volunteerId, (state) => ({
        status: state.status,
        volunteerNumber: state.volunteerNumber,
        erased: state.personalDataErased,
      }));
      if (status === 'unregistered' || volunteerNumber === null)
        throw new ProblemError(404, 'VOLUNTEER_NOT_FOUND', `no volunteer ${volunteerId}`);
      // No new credentials for a person whose data was erased (their stream refuses every command).
      if (erased)
        throw new ProblemError(
          410,
          'VOLUNTEER_PERSONAL_DATA_ERASED',
          "the volunteer's personal data has been erased",
        );
      if (status === 'inactive')
        throw new ProblemError(422, 'VOLUNTEER_INACTIVE', `volunteer ${volunteerId} is deactivated`);
      const issued = await volunteers.issueActivationCode({
        volunteerId,
        volunteerNumber,
        issuedBy: actorOf(request.principal!),
      });
      return reply.code(201).send({ volunteerId, volunteerNumber, ...issued });
    },
  );

  app.post(
    '/v1/volunteer-sessions/activate',
    {
      config: { access: { roles: 'public', scope: ANY_SCOPE } },
      schema: {
        tags: ['volunteer sessions'],
        summary: 'Set the passphrase with an activation code (once); ends every earlier session',
        headers: writeHeaders,
        body: z.strictObject({
          volunteerNumber: volunteerNumberSchema,
          activationCode: activationCodeSchema,
          passphrase: passphraseSchema,
        }),
        response: { 200: z.object({ volunteerId: z.string(), volunteerNumber: z.string() }) },
      },
    },
    async (request) => {
      const volunteerId = await volunteers.activate(request.body);
      return { volunteerId, volunteerNumber: request.body.volunteerNumber };
    },
  );

  app.post(
    '/v1/volunteer-sessions',
    {
      config: { access: { roles: 'public', scope: ANY_SCOPE } },
      schema: {
        tags: ['volunteer sessions'],
        summary: `Sign in with volunteer number and passphrase: a session token valid ${SESSION_LIFETIME_SECONDS / 60} min`,
        headers: writeHeaders,
        body: z.strictObject({ volunteerNumber: volunteerNumberSchema, passphrase: passphraseSchema }),
        response: {
          201: z.object({
            token: z.string().describe('Send as Authorization: Bearer <token>; shown once'),
            volunteerId: z.string(),
            expiresAt: instantOnTheWire,
          }),
        },
      },
    },
    async (request, reply) =>
      reply.code(201).send(
        await volunteers.signIn(request.body, async (volunteerId) => {
          // A person whose data was erased, or who was deactivated, is no longer served: no new
          // session (nor, through the per-request scope check, any use of an earlier one). A
          // deactivated volunteer was given a token every route then refused.
          const { erased, inactive } = await readVolunteer(ledger, volunteerId, (state) => ({
            erased: state.personalDataErased,
            inactive: state.status === 'inactive',
          }));
          if (erased)
            throw new ProblemError(
              410,
              'VOLUNTEER_PERSONAL_DATA_ERASED',
              "the volunteer's personal data has been erased",
            );
          if (inactive)
            throw new ProblemError(
              422,
              'VOLUNTEER_INACTIVE',
              `volunteer ${volunteerId} is deactivated: ask the registration desk`,
            );
        }),
      ),
  );

  app.get(
    '/v1/volunteers/:volunteerId/holds',
    {
      config: {
        access: { roles: ['desk', 'admin', 'volunteer'], scope: volunteerScope(ledger, { volunteer: true }) },
      },
      schema: {
        tags: ['volunteer sessions'],
        summary: "The volunteer's open (pending) holds: which partner holds how many points, until when",
        params: z.strictObject({ volunteerId: idSchema }),
        response: {
          200: z.object({
            volunteerId: z.string(),
            holds: z.array(
              z.object({
                holdId: z.string(),
                partnerId: z.string(),
                offerId: z.string(),
                centipoints: z.number().int(),
                heldAt: instantOnTheWire,
                expiresAt: instantOnTheWire,
                consentForm: z.string().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { volunteerId } = request.params;
      const holds = await readVolunteer(ledger, volunteerId, (state) =>
        state.status === 'unregistered'
          ? null
          : [...state.holds.values()]
              .filter((hold) => hold.status === 'pending')
              .map((hold) => ({
                holdId: hold.holdId,
                partnerId: hold.partnerId,
                offerId: hold.offerId,
                centipoints: hold.centipoints,
                heldAt: new Date(hold.heldAtMs).toISOString(),
                expiresAt: new Date(hold.expiresAtMs).toISOString(),
                consentForm: hold.consentForm,
              })),
      );
      if (holds === null) throw new ProblemError(404, 'VOLUNTEER_NOT_FOUND', `no volunteer ${volunteerId}`);
      return { volunteerId, holds };
    },
  );

  // Public so that its body and headers are validated before authentication, like every write;
  // the handler itself requires the volunteer's session token.
  app.post(
    '/v1/volunteer-sessions/sign-out',
    {
      config: { access: { roles: 'public', scope: ANY_SCOPE } },
      schema: {
        tags: ['volunteer sessions'],
        summary: 'Sign out: the session token presented stops working at once',
        headers: writeHeaders,
        body: z.strictObject({}),
        response: { 200: z.object({ signedOut: z.literal(true) }) },
      },
    },
    async (request) => {
      const token = presentedKey(request);
      if (token === undefined || request.principal?.role !== 'volunteer')
        throw ProblemError.http('UNAUTHENTICATED', 'a volunteer session token is required');
      await volunteers.signOut(token);
      return { signedOut: true as const };
    },
  );
}
