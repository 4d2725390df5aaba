/**
 * The volunteer's history as a list (a table would not fit a phone): newest first, and a
 * correction or void marked as one (更正), after the record it amends, never in its place. A
 * redemption is one entry (积分兑换), although the ledger writes it as a hold and its capture: a
 * hold captured later drops out, its capture saying when the points were frozen if that was
 * earlier. A hold still pending, released or expired stays as it is, so the volunteer sees the
 * points frozen and then given back.
 */
import { h } from '../lib/dom.js';
import { formatInstant, t } from '../lib/i18n.js';
import type { Screen } from '../lib/screen.js';
import { eventNotes, type HistoryEvent } from './volunteer-card.js';
import { failedScreen, readHistory, volunteerEventName, volunteerSession } from './volunteer-common.js';

const AMENDMENTS = new Set(['ServiceRecordCorrected', 'ServiceRecordVoided']);

/**
 * A capture this long or more after its hold says when the points were frozen: 60 s, far above
 * the moment between the two of a redemption at the counter (both written by one request), far
 * below a hold captured when the service is delivered (hours or days later).
 */
const SEPARATE_CAPTURE_MS = 60_000;

/** One entry of the volunteer's history: an event, and for a capture when its hold was placed. */
export interface HistoryEntry {
  readonly event: HistoryEvent;
  /** The hold's time, when the capture came separately (see SEPARATE_CAPTURE_MS). */
  readonly heldAt?: string;
}

/** The history's entries in the events' order, each captured hold joined into its capture. */
export function historyEntries(events: readonly HistoryEvent[]): HistoryEntry[] {
  const holds = new Map<unknown, HistoryEvent>();
  for (const event of events) if (event.type === 'PointsHeld') holds.set(event.data.holdId, event);
  const captured = new Set(
    events.filter((event) => event.type === 'PointsCaptured').map((event) => event.data.holdId),
  );
  return events.flatMap((event): HistoryEntry[] => {
    if (event.type === 'PointsHeld' && captured.has(event.data.holdId)) return [];
    const hold = event.type === 'PointsCaptured' ? holds.get(event.data.holdId) : undefined;
    const separate =
      hold !== undefined && Date.parse(event.recordedAt) - Date.parse(hold.recordedAt) >= SEPARATE_CAPTURE_MS;
    return [separate ? { event, heldAt: hold.recordedAt } : { event }];
  });
}

function item({ event, heldAt }: HistoryEntry): HTMLElement {
  const amendment = AMENDMENTS.has(event.type);
  return h(
    'li',
    { class: amendment ? 'amendment' : '' },
    h('p', { class: 'when' }, formatInstant(event.recordedAt)),
    h(
      'p',
      { class: 'what' },
      amendment ? h('span', { class: 'badge' }, t('vHistory.correction')) : null,
      volunteerEventName(event.type),
    ),
    ...eventNotes(event).map((line) => h('p', {}, line)),
    heldAt === undefined ? null : h('p', {}, t('vHistory.heldAt', { time: formatInstant(heldAt) })),
  );
}

export const volunteerHistoryScreen: Screen = async (context) => {
  const session = volunteerSession(context);
  try {
    const events = await readHistory(session);
    return h(
      'section',
      { class: 'phone' },
      h('h2', {}, t('vHistory.title')),
      h('p', {}, t('vHistory.intro')),
      events.length === 0
        ? h('p', {}, t('card.history.empty'))
        : h(
            'ol',
            { id: 'volunteer-history', class: 'timeline' },
            ...historyEntries(events).reverse().map(item),
          ),
    );
  } catch (error) {
    return failedScreen('vHistory.title', error);
  }
};
