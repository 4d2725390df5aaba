/**
 * The volunteer's history as a list (a table would not fit a phone): newest first, and a
 * correction or void marked as one (更正), after the record it amends, never in its place.
 */
import { h } from '../lib/dom.js';
import { formatInstant, t } from '../lib/i18n.js';
import type { Screen } from '../lib/screen.js';
import { eventNotes, type HistoryEvent } from './volunteer-card.js';
import { failedScreen, readHistory, volunteerEventName, volunteerSession } from './volunteer-common.js';

const AMENDMENTS = new Set(['ServiceRecordCorrected', 'ServiceRecordVoided']);

function item(event: HistoryEvent): HTMLElement {
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
        : h('ol', { id: 'volunteer-history', class: 'timeline' }, ...[...events].reverse().map(item)),
    );
  } catch (error) {
    return failedScreen('vHistory.title', error);
  }
};
