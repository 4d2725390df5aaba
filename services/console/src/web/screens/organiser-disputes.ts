/**
 * The organiser's open disputes: its organisation's queue
 * (`GET /v1/organisations/:id/disputes`), each resolved from its row by a dismissal with a note,
 * a void of the record, or a correction (new start and end) with a reason
 * (`POST /v1/volunteers/:v/disputes/:d/resolve`). After a resolution the queue is read again at
 * the write's position, so it never shows the dispute just resolved.
 */
import { call, keysUntilDone } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { formatInstant, shanghaiInstant, t } from '../lib/i18n.js';
import { organisationQueueScreen, type StatusArea } from '../lib/organisation-queue.js';
import { submitting, type Screen, type ScreenContext } from '../lib/screen.js';
import type { Session } from '../lib/session.js';

interface OpenDispute {
  readonly volunteerId: string;
  /** The number the desk issued, which the organiser knows the volunteer by. */
  readonly volunteerNumber: string;
  readonly disputeId: string;
  readonly kind: 'missing_hours' | 'wrong_times' | 'not_mine';
  readonly recordId: string | null;
  readonly filedAt: string;
  readonly text: string;
}

type Outcome = 'dismissed' | 'voided' | 'corrected';

interface Resolution {
  readonly outcome: Outcome;
  readonly reason: string;
  readonly startAt?: string;
  readonly endAt?: string;
}

type Resolve = (dispute: OpenDispute, resolution: Resolution, button: HTMLButtonElement) => void;

function resolving(session: Session, context: ScreenContext, status: StatusArea): Resolve {
  const keys = keysUntilDone();
  return (dispute, resolution, button) => {
    void submitting(button, status, async () => {
      const volunteer = encodeURIComponent(dispute.volunteerId);
      const path = `/v1/volunteers/${volunteer}/disputes/${encodeURIComponent(dispute.disputeId)}/resolve`;
      const done = await call<{ position?: string | null }>(session, path, {
        method: 'POST',
        body: resolution,
        idempotencyKey: keys.keyFor(dispute.disputeId),
        retryReusesKey: true,
      });
      keys.done(dispute.disputeId);
      const position = typeof done.position === 'string' ? `/${done.position}` : '';
      context.navigate(
        `/organiser/disputes${position}`,
        t(`disputes.done.${resolution.outcome}`, { volunteer: dispute.volunteerNumber }),
      );
    });
  };
}

/** A `datetime-local` value, read as Asia/Shanghai time like every time on the console, or null. */
function instantOf(value: string): string | null {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/.exec(value);
  return match === null ? null : shanghaiInstant(match[1] ?? '', match[2] ?? '');
}

function labelled(id: string, label: string, input: HTMLInputElement): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: id }, label), input);
}

function disputeRow(dispute: OpenDispute, index: number, resolve: Resolve, status: StatusArea): HTMLElement {
  const reason = h('input', { id: `dispute-reason-${index}`, name: 'reason', autocomplete: 'off' });
  const startAt = h('input', { id: `dispute-start-${index}`, name: 'startAt', type: 'datetime-local' });
  const endAt = h('input', { id: `dispute-end-${index}`, name: 'endAt', type: 'datetime-local' });
  const dismiss = h('button', { type: 'button', class: 'secondary' }, t('disputes.dismiss'));
  const voidRecord = h('button', { type: 'button', class: 'secondary' }, t('disputes.void'));
  const correct = h('button', { type: 'button' }, t('disputes.correct'));
  const withReason = (outcome: Outcome, button: HTMLButtonElement, times: Partial<Resolution> = {}): void => {
    if (reason.value.trim() === '') {
      status.show('error', t('disputes.reasonNeeded'));
      reason.focus();
      return;
    }
    resolve(dispute, { outcome, reason: reason.value.trim(), ...times }, button);
  };
  dismiss.addEventListener('click', () => withReason('dismissed', dismiss));
  voidRecord.addEventListener('click', () => withReason('voided', voidRecord));
  correct.addEventListener('click', () => {
    const start = instantOf(startAt.value);
    const end = instantOf(endAt.value);
    if (start === null || end === null) {
      status.show('error', t('disputes.timesNeeded'));
      (start === null ? startAt : endAt).focus();
      return;
    }
    withReason('corrected', correct, { startAt: start, endAt: end });
  });
  return h(
    'tr',
    {},
    h('td', {}, formatInstant(dispute.filedAt)),
    h('td', {}, h('code', {}, dispute.volunteerNumber)),
    h(
      'td',
      {},
      t(`disputes.kind.${dispute.kind}`),
      dispute.recordId === null ? null : h('br'),
      dispute.recordId === null ? null : h('code', {}, dispute.recordId),
    ),
    h('td', {}, dispute.text),
    h(
      'td',
      {},
      labelled(reason.id, t('disputes.reason'), reason),
      dismiss,
      ' ',
      voidRecord,
      labelled(startAt.id, t('disputes.startAt'), startAt),
      labelled(endAt.id, t('disputes.endAt'), endAt),
      correct,
    ),
  );
}

export const organiserDisputesScreen: Screen = organisationQueueScreen<OpenDispute>({
  path: 'disputes?status=open',
  field: 'disputes',
  id: 'disputes',
  title: 'disputes.title',
  caption: 'disputes.caption',
  empty: 'disputes.empty',
  intro: 'disputes.intro',
  columns: [
    'disputes.filedAt',
    'disputes.volunteer',
    'disputes.record',
    'disputes.text',
    'disputes.resolution',
  ],
  rows: (session, context, status) => {
    const resolve = resolving(session, context, status);
    return (dispute, index) => disputeRow(dispute, index, resolve, status);
  },
});
