/**
 * Reactions: the commands that follow from an event on another stream. The application layer
 * runs them after the event is stored (at least once, e.g. from a subscription); they are
 * idempotent because their keys and ids derive from the event, and the receiving decider
 * ignores a credit it has already applied.
 */
import type { Command } from './commands/index.js';
import type { DomainError } from './errors.js';
import type { Actor } from './events/common.js';
import type { DomainEvent } from './events/index.js';

/** The actor named on commands the ledger issues to itself. */
export const SYSTEM_ACTOR: Actor = Object.freeze({ id: 'ledger', role: 'system' });

/**
 * The event types `react` answers with a command: the debits whose credit lands on another stream.
 * The healing job takes up exactly these, so a crash between a debit and its credit is healed
 * whatever the debit was (until this release it knew only transfers and donations, and a group
 * donation or a pool allocation cut short by a crash stayed in `in-transit`).
 */
export const REACTING_EVENT_TYPES: ReadonlySet<DomainEvent['type']> = new Set([
  'PointsTransferSent',
  'PointsDonated',
  'PoolPointsAllocated',
  'GroupPointsDonated',
]);

/** Commands caused by `event`: the credit side of transfers, donations and pool allocations. */
export function react(event: DomainEvent): Command[] {
  switch (event.type) {
    case 'PointsTransferSent':
      return [
        {
          type: 'ReceivePointsTransfer',
          idempotencyKey: `transfer-credit:${event.data.transferId}`,
          actor: SYSTEM_ACTOR,
          volunteerId: event.data.toVolunteerId,
          transferId: event.data.transferId,
          fromVolunteerId: event.data.volunteerId,
          centipoints: event.data.centipoints,
        },
      ];
    case 'PointsDonated':
      return [
        {
          type: 'ReceiveDonation',
          idempotencyKey: `donation-credit:${event.data.donationId}`,
          actor: SYSTEM_ACTOR,
          donationId: event.data.donationId,
          fromVolunteerId: event.data.volunteerId,
          centipoints: event.data.centipoints,
        },
      ];
    case 'PoolPointsAllocated':
      return [
        {
          type: 'ReceivePoolAllocation',
          idempotencyKey: `pool-allocation-credit:${event.data.allocationId}`,
          actor: SYSTEM_ACTOR,
          volunteerId: event.data.beneficiaryId,
          allocationId: event.data.allocationId,
          categoryId: event.data.categoryId,
          community: event.data.community,
          centipoints: event.data.centipoints,
        },
      ];
    case 'GroupPointsDonated':
      return [
        {
          type: 'ReceiveGroupDonation',
          // The team is part of the key: a donation id is unique per team, and two teams of one
          // project may use the same one (the first team's credit answered for the second's).
          idempotencyKey: `group-donation-credit:${event.data.projectId}:${event.data.teamId}:${event.data.donationId}`,
          actor: SYSTEM_ACTOR,
          donationId: `${event.data.projectId}:${event.data.teamId}:${event.data.donationId}`,
          fromProjectId: event.data.projectId,
          fromTeamId: event.data.teamId,
          centipoints: event.data.centipoints,
        },
      ];
    default:
      return [];
  }
}

/**
 * What to do when a reaction's command was rejected: a refused transfer credit is refunded to
 * the sender, naming the receiver's error code. Other rejections have no compensation.
 */
export function compensate(command: Command, error: DomainError): Command[] {
  if (command.type !== 'ReceivePointsTransfer') return [];
  return [
    {
      type: 'RefundPointsTransfer',
      idempotencyKey: `transfer-refund:${command.transferId}`,
      actor: SYSTEM_ACTOR,
      volunteerId: command.fromVolunteerId,
      transferId: command.transferId,
      reasonCode: error.code,
    },
  ];
}
