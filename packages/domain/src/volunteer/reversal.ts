/**
 * The one way a volunteer decision builds `PointsReversed`: a record's points taken back to
 * issuance, from the volunteer's available points or, for what went above the cap, from their
 * `offered:` account. Voids, corrections, a replacement's recovery of a shortfall and a released
 * hold's recovery all build it here, so the accounts and the optional fields cannot drift apart.
 */
import { ISSUANCE_ACCOUNT, offeredAccount, volunteerAccount } from '../accounts.js';
import type { DomainEvent, EventData } from '../events/index.js';

export interface Reversal {
  readonly idempotencyKey: string;
  readonly volunteerId: string;
  readonly recordId: string;
  /** What this event takes back now. */
  readonly centipoints: number;
  /** The record's earning this reversal answers for: only the first reversal of a record names it. */
  readonly earnedCentipoints?: number;
  /** What is still owed after this event. */
  readonly shortfallCentipoints?: number;
  /** Of `earnedCentipoints`, what had expired already and is not taken back. */
  readonly expiredCentipoints?: number;
  readonly reasonCode: EventData<'PointsReversed'>['reasonCode'];
  readonly reversedAt: string;
  /** `offered`: the points come back from the volunteer's offered account. */
  readonly from?: 'available' | 'offered';
}

export function pointsReversed(reversal: Reversal): DomainEvent {
  const { volunteerId, expiredCentipoints = 0 } = reversal;
  return {
    type: 'PointsReversed',
    data: {
      idempotencyKey: reversal.idempotencyKey,
      fromAccount: reversal.from === 'offered' ? offeredAccount(volunteerId) : volunteerAccount(volunteerId),
      toAccount: ISSUANCE_ACCOUNT,
      centipoints: reversal.centipoints,
      volunteerId,
      recordId: reversal.recordId,
      earnedCentipoints: reversal.earnedCentipoints ?? 0,
      shortfallCentipoints: reversal.shortfallCentipoints ?? 0,
      ...(expiredCentipoints === 0 ? {} : { expiredCentipoints }),
      reasonCode: reversal.reasonCode,
      reversedAt: reversal.reversedAt,
    },
  };
}
