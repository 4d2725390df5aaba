/**
 * Transfers and donations: the debit is decided on the sender's stream; the credit on the
 * receiver's stream (or the donation pool) by the reaction in reactions.ts. A credit the
 * receiver refuses is refunded to the sender, so points in transit always arrive somewhere.
 */
import { IN_TRANSIT_ACCOUNT, offeredAccount, volunteerAccount } from '../accounts.js';
import { actsForVolunteer, isSystem } from '../authority.js';
import type { CommandOf } from '../commands/index.js';
import type { DecideContext } from '../context.js';
import { reject, type DomainError } from '../errors.js';
import type { DomainEvent } from '../events/index.js';
import { policyInForceAt } from '../policy/policy.js';
import { parseInstant } from '../time.js';
import { usableCentipoints } from './queries.js';
import type { VolunteerState } from './state.js';

type Decision = DomainEvent[] | DomainError;

export function transferPoints(
  command: CommandOf<'TransferPoints'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const { idempotencyKey, actor, volunteerId, toVolunteerId, centipoints } = command;
  if (!actsForVolunteer(actor, volunteerId))
    return reject('ACTOR_NOT_PERMITTED', 'only the volunteer or a registration desk transfers points');
  if (toVolunteerId === volunteerId) return reject('TRANSFER_TO_SELF', 'a transfer needs another volunteer');
  const usable = usableCentipoints(state, parseInstant(context.now));
  if (centipoints > usable)
    return reject('INSUFFICIENT_POINTS', 'not enough available points', { availableCentipoints: usable });
  return [
    {
      type: 'PointsTransferSent',
      data: {
        idempotencyKey,
        fromAccount: volunteerAccount(volunteerId),
        toAccount: IN_TRANSIT_ACCOUNT,
        centipoints,
        volunteerId,
        transferId: context.newId(),
        toVolunteerId,
        sentAt: context.now,
        actor,
      },
    },
  ];
}

/** The credit side. The receiver may refuse (unknown, inactive, or over the balance cap); the reaction then refunds. */
export function receivePointsTransfer(
  command: CommandOf<'ReceivePointsTransfer'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const { idempotencyKey, actor, volunteerId, transferId, fromVolunteerId, centipoints } = command;
  if (!isSystem(actor))
    return reject('ACTOR_NOT_PERMITTED', 'transfers are credited by the system reaction only');
  if (state.receivedTransferIds.has(transferId)) return [];
  if (state.status === 'unregistered') return reject('VOLUNTEER_NOT_FOUND', `no volunteer ${volunteerId}`);
  if (state.status === 'inactive') return reject('VOLUNTEER_INACTIVE', 'the receiving volunteer is inactive');
  // An erased stream accepts no new command, so points credited to it could never be spent.
  if (state.personalDataErased)
    return reject(
      'VOLUNTEER_PERSONAL_DATA_ERASED',
      "the receiving volunteer's personal data has been erased",
    );
  // A beneficiary is given points by the pool only, so what they hold is all the pool's outflow.
  if (state.kind === 'beneficiary')
    return reject('BENEFICIARY_ACCOUNT_SPEND_ONLY', 'points reach a beneficiary through the donation pool');
  const cap = policyInForceAt(context.pointsPolicy, context.rules, parseInstant(context.now)).terms
    .balanceCapCentipoints;
  if (state.availableCentipoints + state.heldCentipoints + centipoints > cap) {
    return reject('BALANCE_CAP_EXCEEDED', 'the transfer would take the receiver above the balance cap', {
      balanceCapCentipoints: cap,
    });
  }
  return [
    {
      type: 'PointsTransferReceived',
      data: {
        idempotencyKey,
        fromAccount: IN_TRANSIT_ACCOUNT,
        toAccount: volunteerAccount(volunteerId),
        centipoints,
        volunteerId,
        transferId,
        fromVolunteerId,
        receivedAt: context.now,
      },
    },
  ];
}

export function refundPointsTransfer(
  command: CommandOf<'RefundPointsTransfer'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const { idempotencyKey, actor, volunteerId, transferId, reasonCode } = command;
  if (!isSystem(actor))
    return reject('ACTOR_NOT_PERMITTED', 'transfers are refunded by the system reaction only');
  const transfer = state.sentTransfers.get(transferId);
  if (transfer === undefined)
    return reject('TRANSFER_NOT_FOUND', `no transfer ${transferId} from this volunteer`);
  if (transfer.refunded) return [];
  return [
    {
      type: 'PointsTransferRefunded',
      data: {
        idempotencyKey,
        fromAccount: IN_TRANSIT_ACCOUNT,
        toAccount: volunteerAccount(volunteerId),
        centipoints: transfer.centipoints,
        volunteerId,
        transferId,
        reasonCode,
        refundedAt: context.now,
      },
    },
  ];
}

export function donatePoints(
  command: CommandOf<'DonatePoints'>,
  state: VolunteerState,
  context: DecideContext,
): Decision {
  const { idempotencyKey, actor, volunteerId, centipoints, source } = command;
  if (!actsForVolunteer(actor, volunteerId))
    return reject('ACTOR_NOT_PERMITTED', 'only the volunteer or a registration desk donates points');
  const balance =
    source === 'offered' ? state.offeredCentipoints : usableCentipoints(state, parseInstant(context.now));
  if (centipoints > balance)
    return reject('INSUFFICIENT_POINTS', `not enough ${source} points`, {
      [`${source}Centipoints`]: balance,
    });
  return [
    {
      type: 'PointsDonated',
      data: {
        idempotencyKey,
        fromAccount: source === 'offered' ? offeredAccount(volunteerId) : volunteerAccount(volunteerId),
        toAccount: IN_TRANSIT_ACCOUNT,
        centipoints,
        volunteerId,
        donationId: context.newId(),
        donatedAt: context.now,
        actor,
      },
    },
  ];
}
