/**
 * An organiser records one activity for many volunteers at once (`POST /v1/activities`): the
 * API validates every volunteer first and writes nothing if any would be refused, naming each
 * failing line. Volunteer ids are entered one per line; times are Asia/Shanghai.
 */
import { ApiError, call } from '../lib/api.js';
import { formValues, h } from '../lib/dom.js';
import { hoursNumber, shanghaiInstant, t } from '../lib/i18n.js';
import {
  describeError,
  noticeOf,
  requireSession,
  statusArea,
  submitting,
  type Screen,
} from '../lib/screen.js';
import { serviceFields } from './record-service.js';

interface Recorded {
  readonly records: readonly { volunteerId: string; recordId: string; durationMinutes: number }[];
}

/** The lines a BULK_VALIDATION_FAILED problem names (`body.volunteerIds.<index>`), counted from 1. */
function failingLines(error: unknown): number[] {
  if (!(error instanceof ApiError)) return [];
  return error.fields.flatMap((name) => {
    const match = /^body\.volunteerIds\.(\d+)/.exec(name);
    return match === null ? [] : [Number(match[1]) + 1];
  });
}

/** The volunteer ids, one per line, with the batch's limit as its hint. */
function volunteersField(): HTMLElement {
  const volunteers = h('textarea', {
    name: 'volunteers',
    id: 'activity-volunteers',
    'data-field': 'volunteerIds',
    rows: 6,
    required: true,
    'aria-describedby': 'activity-volunteers-hint',
  });
  return h(
    'div',
    { class: 'field' },
    h('label', { for: volunteers.id }, t('activity.volunteers')),
    volunteers,
    h('p', { class: 'hint', id: 'activity-volunteers-hint' }, t('activity.volunteersHint')),
  );
}

export const organiserActivityScreen: Screen = (context) => {
  const session = requireSession(context);
  const status = statusArea();
  let idempotencyKey = crypto.randomUUID();
  const button = h('button', { type: 'submit' }, t('activity.submit'));
  const form = h('form', {}, ...serviceFields(), volunteersField(), button, status.element);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = formValues(form);
    const body = {
      activity: values.activity,
      organisationId: session.scopeId,
      startAt: shanghaiInstant(values.date ?? '', values.start ?? ''),
      endAt: shanghaiInstant(values.date ?? '', values.end ?? ''),
      volunteerIds: (values.volunteers ?? '').split(/\s+/).filter((id) => id !== ''),
    };
    void submitting(button, status, async () => {
      try {
        const recorded = await call<Recorded>(session, '/v1/activities', {
          method: 'POST',
          body,
          idempotencyKey,
        });
        idempotencyKey = crypto.randomUUID();
        const hours = hoursNumber(recorded.records[0]?.durationMinutes ?? 0);
        status.show('ok', t('activity.done', { count: recorded.records.length, hours }));
      } catch (error) {
        const lines = failingLines(error);
        if (lines.length === 0) throw error;
        status.show(
          'error',
          `${describeError(error, form)} ${t('activity.failingLines', { lines: lines.join(', ') })}`,
        );
      }
    });
  });
  return h(
    'section',
    {},
    h('h2', {}, t('activity.title')),
    noticeOf(context),
    h('p', {}, t('activity.intro')),
    form,
  );
};
