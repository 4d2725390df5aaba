/**
 * Transfers (volunteer → volunteer, e.g. to a relative) and donations (volunteer → donation pool),
 * filed at a desk on the sending volunteer's behalf. Each is two decisions joined by a reaction
 * (docs/domain.md): the debit on the sender's stream moves the points to `in-transit`, and the
 * ledger then credits the receiver or the pool — or, when the receiver refuses (unknown,
 * inactive, over the balance cap), refunds the sender. The response says which happened; its
 * `position` is that of the last event, reactions included.
 */
import { z } from 'zod';
import type { LedgerResult } from '@timebank/application';
import {
  DONATION_POOL_STREAM,
  idSchema,
  offeredAccount,
  positiveCentipointsSchema,
  volunteerStream,
} from '@timebank/domain';
import { answeredElsewhere } from '../http/idempotency.js';
import { volunteerScope } from '../auth/domain-scope.js';
import { commandRoute, eventData, type CommandRouteDependencies } from './command-route.js';
import type { TypedApp } from './typed-app.js';

const DESK = ['desk', 'admin'] as const;
const volunteerParams = z.strictObject({ volunteerId: idSchema });

/** How a transfer ended, from the reactions its debit caused. */
function transferOutcome(
  result: LedgerResult,
  toVolunteerId: string,
): {
  status: 'completed' | 'refunded';
  refundReason: string | null;
} {
  for (const reaction of result.reactions) {
    for (const event of reaction.events) {
      if (event.type === 'PointsTransferReceived') return { status: 'completed', refundReason: null };
      if (event.type === 'PointsTransferRefunded')
        return { status: 'refunded', refundReason: event.data.reasonCode };
    }
  }
  // The credit ran and found itself applied already: another process ran it first.
  if (result.reactions.some((reaction) => reaction.streamName === volunteerStream(toVolunteerId)))
    return { status: 'completed', refundReason: null };
  // The refund found itself applied already (its reason is in the other process's answer), or
  // nothing ran here: the same request in another process holds the answer.
  throw answeredElsewhere();
}

export type TransferRouteDependencies = CommandRouteDependencies;

/** The transfer routes, as an encapsulated fastify plugin. */
// eslint-disable-next-line max-lines-per-function -- a route family is a table of route declarations (one object literal per route); its length counts routes, not branches
export async function transferRoutes(app: TypedApp, context: TransferRouteDependencies): Promise<void> {
  const { ledger } = context;

  commandRoute(app, context, {
    url: '/v1/volunteers/:volunteerId/transfers',
    tag: 'desks',
    summary: "Transfer points to another volunteer (e.g. a relative), filed at the sender's desk",
    roles: DESK,
    scope: volunteerScope(ledger),
    params: volunteerParams,
    body: z.strictObject({ toVolunteerId: idSchema, centipoints: positiveCentipointsSchema }),
    status: 201,
    response: z.object({
      transferId: z.string(),
      toVolunteerId: z.string(),
      centipoints: z.number().int(),
      status: z
        .enum(['completed', 'refunded'])
        .describe(
          'completed: the receiver was credited; refunded: the receiver refused and the sender got the points back',
        ),
      refundReason: z
        .string()
        .nullable()
        .describe("The receiver's error code when refunded, e.g. BALANCE_CAP_EXCEEDED"),
    }),
    command: ({ params, body }) => ({
      type: 'TransferPoints',
      volunteerId: params.volunteerId,
      toVolunteerId: body.toVolunteerId,
      centipoints: body.centipoints,
    }),
    // The answer comes from the credit or refund, a reaction in another stream: record it.
    replayFromEvents: false,
    respond: (result) => {
      const sent = eventData(result, 'PointsTransferSent');
      return {
        transferId: sent.transferId,
        toVolunteerId: sent.toVolunteerId,
        centipoints: sent.centipoints,
        ...transferOutcome(result, sent.toVolunteerId),
      };
    },
  });

  commandRoute(app, context, {
    url: '/v1/volunteers/:volunteerId/donations',
    tag: 'desks',
    summary: 'Donate points to the donation pool, from available points or from points offered above the cap',
    roles: DESK,
    scope: volunteerScope(ledger),
    params: volunteerParams,
    body: z.strictObject({
      centipoints: positiveCentipointsSchema,
      source: z
        .enum(['available', 'offered'])
        .optional()
        .describe('available (default): spendable points; offered: points earned above the balance cap'),
    }),
    status: 201,
    response: z.object({
      donationId: z.string(),
      centipoints: z.number().int(),
      source: z.enum(['available', 'offered']),
      received: z.boolean().describe('The donation pool was credited'),
    }),
    command: ({ params, body }) => ({
      type: 'DonatePoints',
      volunteerId: params.volunteerId,
      centipoints: body.centipoints,
      ...(body.source === undefined ? {} : { source: body.source }),
    }),
    // The answer comes from the credit or refund, a reaction in another stream: record it.
    replayFromEvents: false,
    respond: (result) => {
      const donated = eventData(result, 'PointsDonated');
      return {
        donationId: donated.donationId,
        centipoints: donated.centipoints,
        source:
          donated.fromAccount === offeredAccount(donated.volunteerId)
            ? ('offered' as const)
            : ('available' as const),
        // Credited now, or found credited already (by the same request in another process).
        received: result.reactions.some(
          (reaction) =>
            reaction.events.some((event) => event.type === 'DonationReceived') ||
            (reaction.streamName === DONATION_POOL_STREAM && reaction.events.length === 0),
        ),
      };
    },
  });
}
