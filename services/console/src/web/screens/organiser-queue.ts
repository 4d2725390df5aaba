/**
 * The organiser's queue: its organisation's pending service records
 * (`GET /v1/organisations/:id/service-records?status=pending`), each confirmed or rejected with a
 * reason. After a decision the queue is read again at the write's position, so it never shows
 * the record just decided.
 */
import { call } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { formatInstant, hoursNumber, t } from '../lib/i18n.js';
import {
  describeError,
  noticeOf,
  requireSession,
  statusArea,
  submitting,
  type Screen,
} from '../lib/screen.js';

interface PendingRecord {
  readonly volunteerId: string;
  readonly recordId: string;
  readonly activity: string;
  readonly startAt: string;
  readonly durationMinutes: number;
}

export const organiserQueueScreen: Screen = async (context) => {
  const session = requireSession(context);
  const organisation = encodeURIComponent(session.scopeId ?? '');
  const minPosition = /^\d+$/.test(context.params[0] ?? '') ? `&minPosition=${context.params[0]}` : '';
  let records: readonly PendingRecord[];
  try {
    records = (
      await call<{ records: PendingRecord[] }>(
        session,
        `/v1/organisations/${organisation}/service-records?status=pending${minPosition}`,
      )
    ).records;
  } catch (error) {
    return h(
      'section',
      {},
      h('h2', {}, t('queue.title')),
      h('p', { class: 'error', role: 'alert' }, describeError(error)),
    );
  }
  const status = statusArea();

  function decide(
    record: PendingRecord,
    action: 'confirm' | 'reject',
    button: HTMLButtonElement,
    reason: string,
  ): void {
    void submitting(button, status, async () => {
      const done = await call<{ position: string }>(
        session,
        `/v1/volunteers/${encodeURIComponent(record.volunteerId)}/service-records/${encodeURIComponent(record.recordId)}/${action}`,
        { method: 'POST', body: action === 'confirm' ? {} : { reason }, idempotencyKey: crypto.randomUUID() },
      );
      context.navigate(
        `/organiser/queue/${done.position}`,
        t(action === 'confirm' ? 'queue.confirmed' : 'queue.rejected', { activity: record.activity }),
      );
    });
  }

  function row(record: PendingRecord, index: number): HTMLElement {
    const reasonId = `reject-reason-${index}`;
    const reason = h('input', { id: reasonId, name: 'reason', autocomplete: 'off' });
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
    return h(
      'tr',
      {},
      h('td', {}, formatInstant(record.startAt)),
      h('td', {}, record.activity),
      h('td', {}, t('hours.value', { hours: hoursNumber(record.durationMinutes) })),
      h('td', {}, h('code', {}, record.volunteerId)),
      h('td', {}, confirm, h('label', { for: reasonId, class: 'inline' }, t('queue.reason')), reason, reject),
    );
  }

  const table =
    records.length === 0
      ? h('p', { id: 'queue-empty' }, t('queue.empty'))
      : h(
          'table',
          { id: 'queue' },
          h('caption', {}, t('queue.caption', { count: records.length })),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...(
                ['queue.start', 'queue.activity', 'queue.hours', 'queue.volunteer', 'queue.decision'] as const
              ).map((key) => h('th', { scope: 'col' }, t(key))),
            ),
          ),
          h('tbody', {}, ...records.map(row)),
        );
  return h('section', {}, h('h2', {}, t('queue.title')), noticeOf(context), status.element, table);
};
