/**
 * Points for a confirmed record: hours × rate × quality multiplier under the policy version in
 * force at the service start, limited by that version's daily earning cap. Earnings that would
 * take the balance above the cap in force now are moved to the offered account, not lost.
 */
import { offeredAccount, ISSUANCE_ACCOUNT, volunteerAccount } from '../accounts.js';
import type { DecideContext } from '../context.js';
import type { DomainEvent } from '../events/index.js';
import { policyInForceAt } from '../policy/policy.js';
import type { QualityGrade } from '../rules.js';
import { formatInstant, localDayOf, MILLISECONDS_PER_DAY, parseInstant } from '../time.js';
import type { ServiceRecordState, VolunteerState } from './state.js';

/** Exact integer arithmetic: minutes × centipoints/hour × percent ÷ (60 × 100), rounded down. */
export function pointsForMinutes(
  durationMinutes: number,
  ratePerHourCentipoints: number,
  multiplierPercent: number,
): number {
  const numerator = durationMinutes * ratePerHourCentipoints * multiplierPercent;
  if (!Number.isSafeInteger(numerator))
    throw new Error('points arithmetic overflowed the safe integer range');
  return Math.floor(numerator / 6000);
}

/** What is being earned for: the confirmed (or replacement) record, its grade, the command's key. */
export interface Earning {
  readonly record: Pick<ServiceRecordState, 'recordId' | 'startMs' | 'durationMinutes'>;
  readonly qualityGrade: QualityGrade;
  readonly idempotencyKey: string;
}

export function earningEvents(
  state: VolunteerState,
  earning: Earning,
  context: DecideContext,
): DomainEvent[] {
  const { record, qualityGrade, idempotencyKey } = earning;
  const volunteerId = state.volunteerId;
  if (volunteerId === null) throw new Error('earning for an unregistered volunteer');
  const nowMs = parseInstant(context.now);
  const atService = policyInForceAt(context.pointsPolicy, context.rules, record.startMs);
  const { terms } = atService;
  const multiplierPercent = terms.qualityMultiplierPercent[qualityGrade];
  const uncapped = pointsForMinutes(record.durationMinutes, terms.ratePerHourCentipoints, multiplierPercent);
  const serviceDay = localDayOf(record.startMs, context.rules.localTimeOffsetMinutes);
  const earnedThatDay = state.earnedByDay.get(serviceDay) ?? 0;
  const centipoints =
    terms.dailyEarningCapCentipoints === null
      ? uncapped
      : Math.max(0, Math.min(uncapped, terms.dailyEarningCapCentipoints - earnedThatDay));
  const events: DomainEvent[] = [
    {
      type: 'PointsEarned',
      data: {
        idempotencyKey,
        fromAccount: ISSUANCE_ACCOUNT,
        toAccount: volunteerAccount(volunteerId),
        centipoints,
        volunteerId,
        recordId: record.recordId,
        policyVersion: atService.version,
        durationMinutes: record.durationMinutes,
        ratePerHourCentipoints: terms.ratePerHourCentipoints,
        qualityGrade,
        qualityMultiplierPercent: multiplierPercent,
        uncappedCentipoints: uncapped,
        serviceDay,
        expiresAt:
          terms.expiryDays === null ? null : formatInstant(nowMs + terms.expiryDays * MILLISECONDS_PER_DAY),
        earnedAt: context.now,
      },
    },
  ];
  const balanceCap = policyInForceAt(context.pointsPolicy, context.rules, nowMs).terms.balanceCapCentipoints;
  const room = Math.max(0, balanceCap - state.availableCentipoints - state.heldCentipoints);
  const excess = Math.max(0, centipoints - room);
  if (excess > 0) {
    events.push({
      type: 'PointsExcessOffered',
      data: {
        idempotencyKey,
        fromAccount: volunteerAccount(volunteerId),
        toAccount: offeredAccount(volunteerId),
        centipoints: excess,
        volunteerId,
        recordId: record.recordId,
        balanceCapCentipoints: balanceCap,
        offeredAt: context.now,
      },
    });
  }
  return events;
}
