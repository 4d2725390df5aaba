/**
 * The organiser's queue: its organisation's pending service records
 * (`GET /v1/organisations/:id/service-records?status=pending`), each confirmed or rejected with a
 * reason. After a decision the queue is read again at the write's position, so it never shows
 * the record just decided.
 */
import { call, keysUntilDone } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { hoursNumber, instantParts, t } from '../lib/i18n.js';
import { organisationQueueScreen, type StatusArea } from '../lib/organisation-queue.js';
import { submitting, type Screen, type ScreenContext } from '../lib/screen.js';
import type { Session } from '../lib/session.js';

interface PendingRecord {
  readonly volunteerId: string;
  /** The number the desk issued, which the organiser knows the volunteer by; null if not yet read. */
  readonly volunteerNumber: string | null;
  readonly recordId: string;
  readonly activity: string;
  readonly startAt: string;
  readonly durationMinutes: number;
}

type Decide = (
  record: PendingRecord,
  action: 'confirm' | 'reject',
  button: HTMLButtonElement,
  reason: string,
) => void;

function deciding(session: Session, context: ScreenContext, status: StatusArea): Decide {
  const keys = keysUntilDone();
  return (record, action, button, reason) => {
    void submitting(button, status, async () => {
      const volunteer = encodeURIComponent(record.volunteerId);
      const decision = `${record.recordId}/${action}`;
      const done = await call<{ position: string }>(
        session,
        `/v1/volunteers/${volunteer}/service-records/${encodeURIComponent(record.recordId)}/${action}`,
        {
          method: 'POST',
          body: action === 'confirm' ? {} : { reason },
          idempotencyKey: keys.keyFor(decision),
          retryReusesKey: true,
        },
      );
      keys.done(decision);
      const notice = action === 'confirm' ? 'queue.confirmed' : 'queue.rejected';
      context.navigate(`/organiser/queue/${done.position}`, t(notice, { activity: record.activity }));
    });
  };
}

function recordRow(record: PendingRecord, index: number, decide: Decide, status: StatusArea): HTMLElement {
  const reasonId = `reject-reason-${index}`;
  const reason = h('input', {
    id: reasonId,
    name: 'reason',
    autocomplete: 'off',
    placeholder: t('queue.reason'),
  });
  const confirm = h('button', { type: 'button' }, t('queue.confirm'));
  const reject = h('button', { type: 'button', class: 'secondary' }, t('queue.reject'));
  confirm.addEventListener('click', () => decide(record, 'confirm', confirm, ''));
  reject.addEventListener('click', () => {
    if (reason.value.trim() === '') {
      status.show('error', t('queue.reasonNeeded'));
      reason.focus();
      return;
    }
    decide(record, 'reject', reject, reason.value.trim());
  });
  // The reason's label is for screen readers; on screen the field says it as its placeholder, so
  // that a row keeps to one line at a 1,100 px window (styles.css, #queue). In large-text mode a
  // row takes two lines there, broken only between the spans: the date and the time of day, 确认
  // and the reason with 退回.
  const [date, time] = instantParts(record.startAt);
  return h(
    'tr',
    {},
    h('td', { class: 'when' }, h('span', {}, date), ' ', h('span', {}, time)),
    h('td', { class: 'activity' }, record.activity),
    h('td', {}, t('hours.value', { hours: hoursNumber(record.durationMinutes) })),
    h('td', {}, h('code', {}, record.volunteerNumber ?? record.volunteerId)),
    h(
      'td',
      { class: 'decision' },
      confirm,
      h(
        'span',
        {},
        h('label', { for: reasonId, class: 'visually-hidden' }, t('queue.reason')),
        reason,
        reject,
      ),
    ),
  );
}

export const organiserQueueScreen: Screen = organisationQueueScreen<PendingRecord>({
  path: 'service-records?status=pending',
  field: 'records',
  id: 'queue',
  title: 'queue.title',
  caption: 'queue.caption',
  empty: 'queue.empty',
  columns: ['queue.start', 'queue.activity', 'queue.hours', 'queue.volunteer', 'queue.decision'],
  rows: (session, context, status) => {
    const decide = deciding(session, context, status);
    return (record, index) => recordRow(record, index, decide, status);
  },
});
