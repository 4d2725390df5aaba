/**
 * The volunteer card: hours, stars, points and the history folded from the volunteer's own
 * stream. Corrections and voids are listed as what they are, after the records they amend.
 */
import { call } from '../lib/api.js';
import { h } from '../lib/dom.js';
import {
  formatHours,
  formatInstant,
  formatPoints,
  formatServicePeriod,
  hoursNumber,
  personalText,
  t,
} from '../lib/i18n.js';
import type { MessageKey } from '../messages/zh-cn.js';
import { cardActions } from './card-actions.js';
import { cardActivation, cardCertificates } from './card-certificates.js';
import { cardDispute } from './card-dispute.js';
import { moreEventKey } from './event-names.js';
import { readCertificates } from './volunteer-certificates.js';
import { describeError, noticeOf, requireSession, type Screen } from '../lib/screen.js';

/** `GET /v1/volunteers/:volunteerId` (the fields the console shows). */
export interface VolunteerSummary {
  readonly volunteerId: string;
  readonly volunteerNumber: string;
  readonly name: string;
  readonly nationalIdMasked: string;
  readonly community: string;
  readonly status: 'active' | 'inactive';
  readonly confirmedMinutes: number;
  readonly pendingMinutes: number;
  readonly eligibleStars: number;
  readonly awardedStars: number;
  readonly effectiveStars: number;
  readonly availableCentipoints: number;
  readonly usableCentipoints: number;
  readonly heldCentipoints: number;
}

export interface HistoryEvent {
  readonly revision: string;
  readonly type: string;
  readonly recordedAt: string;
  readonly data: Record<string, unknown>;
}

const NAMED_EVENTS = new Set([
  'VolunteerRegistered',
  'VolunteerDeactivated',
  'ServiceHoursRecorded',
  'ServiceHoursConfirmed',
  'ServiceHoursRejected',
  'ServiceRecordCorrected',
  'ServiceRecordVoided',
  'StarRatingAwarded',
  'PointsEarned',
  'PointsHeld',
  'PointsCaptured',
  'PointsReleased',
]);

export function eventName(type: string): string {
  const more = moreEventKey(type);
  if (more !== undefined) return t(more);
  return NAMED_EVENTS.has(type) ? t(`event.${type}` as MessageKey) : t('event.other', { type });
}

export function eventDetails(event: HistoryEvent): string {
  const service = event.type === 'ServiceRecordCorrected' ? event.data.replacement : event.data;
  if (typeof service !== 'object' || service === null) return '';
  const { activity, durationMinutes, startAt, endAt } = service as Record<string, unknown>;
  if (typeof activity !== 'string' || typeof durationMinutes !== 'number') return '';
  const hours = hoursNumber(durationMinutes);
  // The history's time is when the event was recorded; the service's own day and hours are what
  // a volunteer or a clerk recognises a record by (and what a report of an error must name).
  return typeof startAt === 'string' && typeof endAt === 'string'
    ? t('history.service', { activity, hours, when: formatServicePeriod(startAt, endAt) })
    : t('history.minutes', { activity, hours });
}

/** A correction's note or a rejection's reason, in the words the organiser wrote. */
export function reasonOf(event: HistoryEvent): string | null {
  const { note, reason } = event.data;
  if (typeof note === 'string' && note !== '') return note;
  return typeof reason === 'string' && reason !== '' ? reason : null;
}

const DISPUTE_KINDS = new Set(['missing_hours', 'wrong_times', 'not_mine']);

/** A dispute filed: its kind and the volunteer's words, what the desk and the volunteer recognise it by. */
function disputeNote(event: HistoryEvent): string | null {
  const { kind, text } = event.data;
  if (event.type !== 'DisputeFiled' || typeof kind !== 'string' || !DISPUTE_KINDS.has(kind)) return null;
  return t('history.dispute', {
    kind: t(`disputes.kind.${kind}` as MessageKey),
    text: typeof text === 'string' ? text : '',
  });
}

/**
 * What an event says beyond its name, as lines: the service it records, the points it moves and
 * the organiser's reason or note. The desk's card and the volunteer's own history show the same,
 * so the clerk can answer "how many points did I get, and why was that record sent back?".
 */
export function eventNotes(event: HistoryEvent): string[] {
  const dispute = disputeNote(event);
  if (dispute !== null) return [dispute];
  const points = event.data.centipoints;
  const reason = reasonOf(event);
  return [
    eventDetails(event),
    typeof points === 'number' && points > 0 ? formatPoints(points) : '',
    reason === null ? '' : t('vHistory.reason', { reason }),
  ].filter((line) => line !== '');
}

function figures(summary: VolunteerSummary): HTMLElement {
  const rows: [MessageKey, string][] = [
    ['card.volunteerNumber', summary.volunteerNumber],
    ['card.nationalId', personalText(summary.nationalIdMasked)],
    ['card.community', summary.community],
    ['card.status', t(`card.status.${summary.status}`)],
    ['card.confirmedHours', formatHours(summary.confirmedMinutes)],
    ['card.pendingHours', formatHours(summary.pendingMinutes)],
    ['card.stars', `${summary.effectiveStars} / ${summary.awardedStars} / ${summary.eligibleStars}`],
    ['card.availablePoints', formatPoints(summary.availableCentipoints)],
    ['card.usablePoints', formatPoints(summary.usableCentipoints)],
    ['card.heldPoints', formatPoints(summary.heldCentipoints)],
  ];
  return h(
    'dl',
    { class: 'figures' },
    ...rows.flatMap(([key, value]) => [h('dt', {}, t(key)), h('dd', { 'data-figure': key }, value)]),
  );
}

function history(events: readonly HistoryEvent[]): HTMLElement {
  if (events.length === 0) return h('p', {}, t('card.history.empty'));
  return h(
    'table',
    { id: 'history' },
    h('caption', {}, t('card.history')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, t('card.history.time')),
        h('th', { scope: 'col' }, t('card.history.event')),
        h('th', { scope: 'col' }, t('card.history.details')),
      ),
    ),
    h(
      'tbody',
      {},
      ...[...events]
        .reverse()
        .map((event) =>
          h(
            'tr',
            { class: /Corrected|Voided/.test(event.type) ? 'amendment' : '' },
            h('td', {}, formatInstant(event.recordedAt)),
            h('td', {}, eventName(event.type)),
            h('td', {}, eventNotes(event).join(t('history.noteSeparator'))),
          ),
        ),
    ),
  );
}

export const volunteerCardScreen: Screen = async (context) => {
  const session = requireSession(context);
  const volunteerId = context.params[0] ?? '';
  const path = `/v1/volunteers/${encodeURIComponent(volunteerId)}`;
  try {
    const [summary, log, certificates] = await Promise.all([
      call<VolunteerSummary>(session, path),
      call<{ events: HistoryEvent[] }>(session, `${path}/history`),
      readCertificates(session, volunteerId),
    ]);
    const reload = (notice: string): void => context.navigate(`/desk/volunteers/${volunteerId}`, notice);
    return h(
      'section',
      {},
      h('h2', {}, `${t('card.title')} · ${personalText(summary.name)}`),
      noticeOf(context),
      figures(summary),
      h(
        'p',
        {},
        h(
          'a',
          { class: 'button', href: `#/desk/volunteers/${volunteerId}/service` },
          t('card.recordService'),
        ),
      ),
      cardActions(session, volunteerId, reload),
      cardCertificates(session, volunteerId, certificates, reload),
      cardActivation(session, volunteerId),
      cardDispute(session, volunteerId, log.events, reload),
      history(log.events),
    );
  } catch (error) {
    return h(
      'section',
      {},
      h('h2', {}, t('card.title')),
      h('p', { class: 'error', role: 'alert' }, describeError(error)),
    );
  }
};
