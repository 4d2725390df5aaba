/**
 * The due index: what the clock must do and when. A hold falls due at its `expiresAt`; a capture,
 * release or expiry of that hold makes the item done. A lot of expiring points falls due at its
 * `expiresAt`; the clock's expiry of that lot, or its reversal, makes the item done. The scheduler reads the undone items whose
 * due time has passed and sends one command each, with the item's key as its idempotency key.
 */
import type { EventData } from '@timebank/domain';
import type { EventPayload } from '@timebank/event-store';
import type { WorkingSet } from '../working-set.js';

/**
 * The due-index key of a hold's expiry; the scheduler uses it as the command's idempotency key.
 * Hold ids are unique per volunteer, so the key names both.
 */
export function holdExpiryKey(volunteerId: string, holdId: string): string {
  return `expire-hold:${volunteerId}:${holdId}`;
}

/**
 * The due-index key of a lot's points expiry (the points one earning record earned); also the
 * idempotency key of the clock's `ExpirePoints`.
 */
export function pointsExpiryKey(volunteerId: string, recordId: string): string {
  return `expire-points:${volunteerId}:${recordId}`;
}

const HOLD_RESOLUTIONS = new Set(['PointsCaptured', 'PointsReleased', 'PointsHoldExpired']);
/** Events that create or settle a lot's expiry: its earning, its expiry, its reversal. */
const LOT_EVENTS = new Set(['PointsEarned', 'PointsExpired', 'PointsReversed']);

/** The due item an event touches, or undefined. */
function dueKeyOf(event: EventPayload): string | undefined {
  if (event.type === 'PointsHeld' || HOLD_RESOLUTIONS.has(event.type)) {
    const data = event.data as { volunteerId: string; holdId: string };
    return holdExpiryKey(data.volunteerId, data.holdId);
  }
  if (LOT_EVENTS.has(event.type)) {
    const data = event.data as { volunteerId: string; recordId?: string };
    return data.recordId === undefined ? undefined : pointsExpiryKey(data.volunteerId, data.recordId);
  }
  return undefined;
}

export function wantDueRows(event: EventPayload, ws: WorkingSet): void {
  const key = dueKeyOf(event);
  if (key !== undefined) ws.dueItems.want(key, [key]);
}

function settle(ws: WorkingSet, key: string): void {
  const item = ws.dueItems.get(key);
  // Created before the due index existed, or never due (a lot that does not expire): nothing to settle.
  if (item === undefined || item.done === 1) return;
  item.done = 1;
  ws.dueItems.touch(key);
}

/**
 * A lot of earned points that expire falls due at its `expiresAt`; the clock's `PointsExpired`
 * for that lot (even one of 0 points, for a lot spent before its date) or the lot's reversal
 * settles it.
 */
function applyLotEvent(event: EventPayload, ws: WorkingSet): void {
  const key = dueKeyOf(event);
  if (key === undefined) return;
  if (event.type !== 'PointsEarned') {
    settle(ws, key);
    return;
  }
  const data = event.data as unknown as EventData<'PointsEarned'>;
  if (data.expiresAt === null || data.centipoints === 0) return;
  ws.dueItems.put(key, {
    due_key: key,
    kind: 'expire-points',
    due_at: data.expiresAt,
    volunteer_id: data.volunteerId,
    subject_id: data.recordId,
    done: 0,
  });
}

/** Keeps the due index; a no-op for events that neither create nor settle a due item. */
export function applyDueEvent(event: EventPayload, ws: WorkingSet): void {
  if (event.type === 'PointsHeld') {
    const data = event.data as unknown as EventData<'PointsHeld'>;
    // A plain redemption's hold is captured in the same append and never falls due.
    if (data.expiresAt <= data.heldAt) return;
    const key = holdExpiryKey(data.volunteerId, data.holdId);
    ws.dueItems.put(key, {
      due_key: key,
      kind: 'expire-hold',
      due_at: data.expiresAt,
      volunteer_id: data.volunteerId,
      subject_id: data.holdId,
      done: 0,
    });
    return;
  }
  if (LOT_EVENTS.has(event.type)) {
    applyLotEvent(event, ws);
    return;
  }
  if (!HOLD_RESOLUTIONS.has(event.type)) return;
  const data = event.data as { volunteerId: string; holdId: string };
  settle(ws, holdExpiryKey(data.volunteerId, data.holdId));
}
