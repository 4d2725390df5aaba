/**
 * The due index: what the clock must do and when. A hold falls due at its `expiresAt`; a capture,
 * release or expiry of that hold makes the item done. The scheduler reads the undone items whose
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

const HOLD_RESOLUTIONS = new Set(['PointsCaptured', 'PointsReleased', 'PointsHoldExpired']);

export function wantDueRows(event: EventPayload, ws: WorkingSet): void {
  if (event.type !== 'PointsHeld' && !HOLD_RESOLUTIONS.has(event.type)) return;
  const data = event.data as { volunteerId: string; holdId: string };
  const key = holdExpiryKey(data.volunteerId, data.holdId);
  ws.dueItems.want(key, [key]);
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
  if (!HOLD_RESOLUTIONS.has(event.type)) return;
  const data = event.data as { volunteerId: string; holdId: string };
  const key = holdExpiryKey(data.volunteerId, data.holdId);
  const item = ws.dueItems.get(key);
  // A hold placed before the due index existed has no item: nothing to settle.
  if (item === undefined || item.done === 1) return;
  item.done = 1;
  ws.dueItems.touch(key);
}
