/**
 * What the volunteer's own screens share: their summary and history (the same routes a desk
 * reads, scoped by the API to the signed-in volunteer), event names in plain words, and the frame
 * of a screen that could not load.
 */
import { call } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { describeError, requireSession, type ScreenContext } from '../lib/screen.js';
import type { Session } from '../lib/session.js';
import type { MessageKey } from '../messages/zh-cn.js';
import { eventName, type HistoryEvent, type VolunteerSummary } from './volunteer-card.js';

/** Every event named in words (the card's names include the volunteer's events). */
export const volunteerEventName = eventName;

export function volunteerPath(session: Session): string {
  return `/v1/volunteers/${encodeURIComponent(session.scopeId ?? '')}`;
}

export function readSummary(session: Session): Promise<VolunteerSummary> {
  return call<VolunteerSummary>(session, volunteerPath(session));
}

export async function readHistory(session: Session): Promise<readonly HistoryEvent[]> {
  return (await call<{ events: HistoryEvent[] }>(session, `${volunteerPath(session)}/history`)).events;
}

/** The volunteer screens' session (the router admits only a volunteer's). */
export function volunteerSession(context: ScreenContext): Session {
  return requireSession(context);
}

export function failedScreen(title: MessageKey, error: unknown): HTMLElement {
  return h(
    'section',
    { class: 'phone' },
    h('h2', {}, t(title)),
    h('p', { class: 'error', role: 'alert' }, describeError(error)),
  );
}
