/**
 * The `donation-pool` stream: the credit side of donations. It never refuses a donation, so a
 * donation's debit is never refunded; its state only remembers which donations it received, to
 * make the crediting reaction idempotent.
 */
import { DONATION_POOL_ACCOUNT, IN_TRANSIT_ACCOUNT } from '../accounts.js';
import { isSystem } from '../authority.js';
import type { CommandOf } from '../commands/index.js';
import type { DecideContext } from '../context.js';
import { reject, type DomainError } from '../errors.js';
import type { DomainEvent } from '../events/index.js';

export interface DonationPoolState {
  readonly receivedDonationIds: ReadonlySet<string>;
  readonly balanceCentipoints: number;
}

export const initialDonationPoolState: DonationPoolState = Object.freeze({
  receivedDonationIds: new Set<string>(),
  balanceCentipoints: 0,
});

export function evolveDonationPool(state: DonationPoolState, event: DomainEvent): DonationPoolState {
  if (event.type !== 'DonationReceived' && event.type !== 'GroupDonationReceived') return state;
  return {
    receivedDonationIds: new Set(state.receivedDonationIds).add(event.data.donationId),
    balanceCentipoints: state.balanceCentipoints + event.data.centipoints,
  };
}

export function decideDonationPool(
  command: CommandOf<'ReceiveDonation' | 'ReceiveGroupDonation'>,
  state: DonationPoolState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  // Idempotent by donation id, which outlives any bounded key record.
  if (state.receivedDonationIds.has(command.donationId)) return [];
  if (!isSystem(command.actor))
    return reject('ACTOR_NOT_PERMITTED', 'donations are credited by the system reaction only');
  if (command.type === 'ReceiveGroupDonation') {
    // A team's group points: the ids are prefixed with project and team, so they never meet a volunteer's.
    const { idempotencyKey, donationId, fromProjectId, fromTeamId, centipoints } = command;
    return [
      {
        type: 'GroupDonationReceived',
        data: {
          idempotencyKey,
          fromAccount: IN_TRANSIT_ACCOUNT,
          toAccount: DONATION_POOL_ACCOUNT,
          centipoints,
          donationId,
          fromProjectId,
          fromTeamId,
          receivedAt: context.now,
        },
      },
    ];
  }
  const { idempotencyKey, donationId, fromVolunteerId, centipoints } = command;
  return [
    {
      type: 'DonationReceived',
      data: {
        idempotencyKey,
        fromAccount: IN_TRANSIT_ACCOUNT,
        toAccount: DONATION_POOL_ACCOUNT,
        centipoints,
        donationId,
        fromVolunteerId,
        receivedAt: context.now,
      },
    },
  ];
}
