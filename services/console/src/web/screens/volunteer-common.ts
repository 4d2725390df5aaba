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

export function volunteerPath(session: Session): string {
  return `/v1/volunteers/${encodeURIComponent(session.scopeId ?? '')}`;
}

export function readSummary(session: Session): Promise<VolunteerSummary> {
  return call<VolunteerSummary>(session, volunteerPath(session));
}

export async function readHistory(session: Session): Promise<readonly HistoryEvent[]> {
  return (await call<{ events: HistoryEvent[] }>(session, `${volunteerPath(session)}/history`)).events;
}

/** Events a desk's card does not name but a volunteer sees in their own history. */
const VOLUNTEER_EVENTS: Record<string, MessageKey> = {
  StarAwardFlaggedForReview: 'vevent.StarAwardFlaggedForReview',
  PointsExcessOffered: 'vevent.PointsExcessOffered',
  PointsReversed: 'vevent.PointsReversed',
  PointsExpired: 'vevent.PointsExpired',
  PointsHoldExpired: 'vevent.PointsHoldExpired',
  PointsTransferSent: 'vevent.PointsTransferSent',
  PointsTransferReceived: 'vevent.PointsTransferReceived',
  PointsDonated: 'vevent.PointsDonated',
  SpendMandateGranted: 'vevent.SpendMandateGranted',
  SpendMandateRevoked: 'vevent.SpendMandateRevoked',
  DisputeFiled: 'vevent.DisputeFiled',
  DisputeResolved: 'vevent.DisputeResolved',
  ServiceCertificateIssued: 'vevent.ServiceCertificateIssued',
};

export function volunteerEventName(type: string): string {
  const key = VOLUNTEER_EVENTS[type];
  return key === undefined ? eventName(type) : t(key);
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
