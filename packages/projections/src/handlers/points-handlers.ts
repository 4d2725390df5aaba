/**
 * Points: every movement updates both double-entry accounts (so Σ balances stays 0 by
 * construction) and, for a volunteer's own accounts, the summary's available / held / offered
 * balances. Type-specific handlers add the lifetime counters, holds and partner settlements.
 */
import { isBeneficiaryId, type EventData, type EventType } from '@timebank/domain';
import type { EventPayload } from '@timebank/event-store';
import type { Row } from '../tables.js';
import { joinKey, type WorkingSet } from '../working-set.js';
import { add, corrupt, localMonth, type ProjectionRules } from './context.js';
import { requireVolunteer } from './volunteer-handlers.js';

type Data<T extends EventType> = EventData<T>;

interface Movement {
  readonly fromAccount: string;
  readonly toAccount: string;
  readonly centipoints: number;
}

/** Summary column that mirrors each per-volunteer account kind. */
const VOLUNTEER_ACCOUNT_COLUMNS: Readonly<Record<string, string>> = {
  volunteer: 'available_centipoints',
  held: 'held_centipoints',
  offered: 'offered_centipoints',
};

function volunteerOfAccount(account: string): { volunteerId: string; column: string } | undefined {
  const colon = account.indexOf(':');
  if (colon < 0) return undefined;
  const column = VOLUNTEER_ACCOUNT_COLUMNS[account.slice(0, colon)];
  const volunteerId = account.slice(colon + 1);
  // A donation-pool beneficiary's spending accounts (`volunteer:b-…`, `held:b-…`) are shared-account
  // rows: a beneficiary has no volunteer summary and never counts in volunteer statistics.
  if (column === undefined || isBeneficiaryId(volunteerId)) return undefined;
  return { volunteerId, column };
}

export function isMovement(data: unknown): data is Movement {
  const candidate = data as Partial<Movement>;
  return (
    typeof candidate.fromAccount === 'string' &&
    typeof candidate.toAccount === 'string' &&
    typeof candidate.centipoints === 'number'
  );
}

const HOLD_EVENTS = new Set(['PointsHeld', 'PointsCaptured', 'PointsReleased', 'PointsHoldExpired']);

/** The instant that dates a hold event, for the settlement period. */
function holdEventAt(event: EventPayload): string {
  const data = event.data as Record<string, unknown>;
  const at = data.heldAt ?? data.capturedAt ?? data.releasedAt ?? data.expiredAt;
  if (typeof at !== 'string') throw corrupt(event, 'hold event without its instant');
  return at;
}

export function wantPointsRows(event: EventPayload, ws: WorkingSet, rules: ProjectionRules): void {
  const data = event.data as unknown as Movement & {
    volunteerId?: string;
    recordId?: string;
    holdId?: string;
    partnerId?: string;
  };
  for (const account of [data.fromAccount, data.toAccount]) {
    const owner = volunteerOfAccount(account);
    if (owner === undefined) ws.accounts.want(account, [account]);
    else ws.volunteers.want(owner.volunteerId, [owner.volunteerId]);
  }
  if (data.volunteerId !== undefined) ws.volunteers.want(data.volunteerId, [data.volunteerId]);
  if (data.volunteerId !== undefined && data.recordId !== undefined) {
    ws.records.want(joinKey(data.volunteerId, data.recordId), [data.volunteerId, data.recordId]);
  }
  if (HOLD_EVENTS.has(event.type) && data.volunteerId !== undefined && data.holdId !== undefined) {
    ws.holds.want(joinKey(data.volunteerId, data.holdId), [data.volunteerId, data.holdId]);
    const partnerId = data.partnerId ?? '';
    const period = localMonth(holdEventAt(event), rules);
    ws.settlements.want(joinKey(partnerId, period), [partnerId, period]);
  }
}

/**
 * A volunteer's own accounts are kept in their summary row only (one row written per volunteer
 * and batch instead of four); every other account has its own row.
 */
function moveBalance(ws: WorkingSet, event: EventPayload, account: string, amount: number): void {
  const owner = volunteerOfAccount(account);
  if (owner !== undefined) {
    const volunteer = requireVolunteer(ws, event, owner.volunteerId);
    add(volunteer, owner.column, amount);
    if ((volunteer[owner.column] as number) < 0) throw corrupt(event, `${account} would go negative`);
    return;
  }
  let row = ws.accounts.get(account);
  if (row === undefined) {
    row = ws.accounts.put(account, { account, balance_centipoints: 0, movements: 0 });
  } else {
    ws.accounts.touch(account);
  }
  add(row, 'balance_centipoints', amount);
  add(row, 'movements', 1);
}

function settlement(ws: WorkingSet, partnerId: string, period: string): Row {
  const key = joinKey(partnerId, period);
  const existing = ws.settlements.get(key);
  if (existing !== undefined) {
    ws.settlements.touch(key);
    return existing;
  }
  return ws.settlements.put(key, {
    partner_id: partnerId,
    period,
    held_count: 0,
    held_centipoints: 0,
    captured_count: 0,
    captured_centipoints: 0,
    released_count: 0,
    released_centipoints: 0,
    expired_count: 0,
    expired_centipoints: 0,
    captured_cash_fen: 0,
  });
}

const RESOLUTION_STATUS: Readonly<Record<string, string>> = {
  PointsCaptured: 'captured',
  PointsReleased: 'released',
  PointsHoldExpired: 'expired',
};

function applyHoldEvent(event: EventPayload, ws: WorkingSet, rules: ProjectionRules): void {
  const data = event.data as unknown as Data<'PointsCaptured'> & Partial<Data<'PointsHeld'>>;
  const key = joinKey(data.volunteerId, data.holdId);
  const at = holdEventAt(event);
  const totals = settlement(ws, data.partnerId, localMonth(at, rules));
  if (event.type === 'PointsHeld') {
    if (ws.holds.get(key) !== undefined) throw corrupt(event, `hold ${data.holdId} placed twice`);
    ws.holds.put(key, {
      volunteer_id: data.volunteerId,
      hold_id: data.holdId,
      partner_id: data.partnerId,
      offer_id: data.offerId ?? null,
      centipoints: data.centipoints,
      held_at: at,
      expires_at: data.expiresAt ?? null,
      status: 'pending',
      resolved_at: null,
      cash_copay_fen: data.cashCopayFen ?? 0,
    });
    add(totals, 'held_count', 1);
    add(totals, 'held_centipoints', data.centipoints);
    return;
  }
  const hold = ws.holds.get(key);
  if (hold === undefined || hold.status !== 'pending') {
    throw corrupt(event, `hold ${data.holdId} is unknown or already resolved`);
  }
  ws.holds.touch(key);
  const status = RESOLUTION_STATUS[event.type] ?? 'unknown';
  hold.status = status;
  hold.resolved_at = at;
  add(totals, `${status}_count`, 1);
  add(totals, `${status}_centipoints`, data.centipoints);
  // Events from before 低偿 offers carry no cash: they count as 0 fen.
  if (status === 'captured') add(totals, 'captured_cash_fen', data.cashCopayFen ?? 0);
  if (status === 'captured' && !isBeneficiaryId(data.volunteerId))
    add(requireVolunteer(ws, event, data.volunteerId), 'spent_centipoints', data.centipoints);
}

/**
 * Adds to a lifetime counter of the event's volunteer, if the event names one. A module function
 * rather than a closure made per event: this runs for most events of a replay.
 */
function countForVolunteer(ws: WorkingSet, event: EventPayload, column: string, amount: number): void {
  const volunteerId = (event.data as { volunteerId?: string }).volunteerId;
  if (volunteerId !== undefined) add(requireVolunteer(ws, event, volunteerId), column, amount);
}

/** Applies a points event; returns false when the event moves no points. */
export function applyPointsEvent(event: EventPayload, ws: WorkingSet, rules: ProjectionRules): boolean {
  if (!isMovement(event.data)) return false;
  const data = event.data;
  moveBalance(ws, event, data.fromAccount, -data.centipoints);
  moveBalance(ws, event, data.toAccount, data.centipoints);
  switch (event.type) {
    case 'PointsEarned': {
      const earned = event.data as unknown as Data<'PointsEarned'>;
      countForVolunteer(ws, event, 'earned_centipoints', earned.centipoints);
      const key = joinKey(earned.volunteerId, earned.recordId);
      const record = ws.records.get(key);
      if (record === undefined) throw corrupt(event, `points for unknown record ${earned.recordId}`);
      ws.records.touch(key);
      add(record, 'earned_centipoints', earned.centipoints);
      return true;
    }
    case 'PointsReversed': {
      const reversed = event.data as unknown as Data<'PointsReversed'>;
      countForVolunteer(ws, event, 'reversed_centipoints', reversed.centipoints);
      const key = joinKey(reversed.volunteerId, reversed.recordId);
      const record = ws.records.get(key);
      if (record === undefined) throw corrupt(event, `reversal for unknown record ${reversed.recordId}`);
      ws.records.touch(key);
      add(record, 'earned_centipoints', -reversed.earnedCentipoints);
      return true;
    }
    case 'PointsHeld':
    case 'PointsCaptured':
    case 'PointsReleased':
    case 'PointsHoldExpired':
      applyHoldEvent(event, ws, rules);
      return true;
    case 'PointsExpired':
      countForVolunteer(ws, event, 'expired_centipoints', data.centipoints);
      return true;
    case 'PointsTransferSent':
      countForVolunteer(ws, event, 'transferred_out_centipoints', data.centipoints);
      return true;
    case 'PointsTransferRefunded':
      countForVolunteer(ws, event, 'transferred_out_centipoints', -data.centipoints);
      return true;
    case 'PointsTransferReceived':
      countForVolunteer(ws, event, 'transferred_in_centipoints', data.centipoints);
      return true;
    case 'PointsDonated':
      countForVolunteer(ws, event, 'donated_centipoints', data.centipoints);
      return true;
    default:
      // PointsExcessOffered, DonationReceived and the pool's allocations only move balances.
      return true;
  }
}
