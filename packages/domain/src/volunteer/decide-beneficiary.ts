/**
 * A beneficiary's spending account on the volunteer stream family (`volunteer-<beneficiaryId>`):
 * opened by the first allocation from the donation pool, it then spends through the very same
 * hold / capture / redeem decisions and spend consent as a volunteer's. Nothing else runs on it.
 */
import { IN_TRANSIT_ACCOUNT, volunteerAccount } from '../accounts.js';
import { isSystem } from '../authority.js';
import type { CommandOf } from '../commands/index.js';
import type { DecideContext } from '../context.js';
import { reject, type DomainError } from '../errors.js';
import type { DomainEvent } from '../events/index.js';
import type { VolunteerState } from './state.js';

/** What a beneficiary's stream accepts: its credits, and spending them with the beneficiary's consent. */
export const BENEFICIARY_COMMANDS: ReadonlySet<string> = new Set([
  'ReceivePoolAllocation',
  'HoldPoints',
  'CapturePoints',
  'ReleasePoints',
  'ExpireHold',
  'RedeemPoints',
  'GrantSpendMandate',
  'RevokeSpendMandate',
]);

/** The credit side of `PoolPointsAllocated`; idempotent by allocation id. */
export function receivePoolAllocation(
  command: CommandOf<'ReceivePoolAllocation'>,
  state: VolunteerState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  const { idempotencyKey, actor, volunteerId, allocationId, categoryId, community, centipoints } = command;
  if (!isSystem(actor))
    return reject('ACTOR_NOT_PERMITTED', 'pool allocations are credited by the system reaction only');
  if (state.receivedTransferIds.has(allocationId)) return [];
  // Beneficiary ids (`b-…`) and volunteer ids (`v` + hex) never meet; this guards the invariant.
  if (state.status !== 'unregistered' && state.kind !== 'beneficiary')
    throw new Error(`pool allocation routed to volunteer ${volunteerId}`);
  return [
    {
      type: 'PoolAllocationReceived',
      data: {
        idempotencyKey,
        fromAccount: IN_TRANSIT_ACCOUNT,
        toAccount: volunteerAccount(volunteerId),
        centipoints,
        volunteerId,
        allocationId,
        categoryId,
        community,
        receivedAt: context.now,
      },
    },
  ];
}
