/**
 * An organiser records one activity for many volunteers at once (`POST /v1/activities`): the
 * API validates every volunteer first and writes nothing if any would be refused, naming each
 * failing line. Volunteers are entered by the number the desk issued (`TB…`, what organisers
 * know them by, never the internal id), one per line, typed as people type them (lower case,
 * spaces, full-width digits); the API resolves the numbers. Times are Asia/Shanghai.
 */
import { ApiError, call } from '../lib/api.js';
import { formValues, h } from '../lib/dom.js';
import { errorMessage, hoursNumber, t } from '../lib/i18n.js';
import {
  describeError,
  noticeOf,
  requireSession,
  statusArea,
  submitting,
  type Screen,
} from '../lib/screen.js';
import { typedNumbers, type TypedNumber } from '../lib/typed-input.js';
import { refuseServiceTimes, serviceFields, serviceInstants } from './record-service.js';

interface Recorded {
  readonly records: readonly { volunteerId: string; recordId: string; durationMinutes: number }[];
}

/** The lines of numbers typed more than once (after their case and spaces are folded). */
function repeatedLines(numbers: readonly TypedNumber[]): number[] {
  const seen = new Set<string>();
  return numbers.flatMap(({ volunteerNumber, line }) => {
    if (!seen.has(volunteerNumber)) {
      seen.add(volunteerNumber);
      return [];
    }
    return [line];
  });
}

/**
 * The lines a refusal names (`body.volunteerNumbers.<index>`), as the organiser counts them, each
 * with why in words when the API said (`3（未找到该志愿者。）`).
 */
function failingLines(error: unknown, numbers: readonly TypedNumber[]): string[] {
  if (!(error instanceof ApiError)) return [];
  return error.fields.flatMap((name) => {
    const match = /^body\.volunteerNumbers\.(\d+)/.exec(name);
    const line = match === null ? undefined : numbers[Number(match[1])]?.line;
    if (line === undefined) return [];
    const code = error.fieldCodes.get(name);
    return [
      code === undefined ? String(line) : t('activity.failingLine', { line, reason: errorMessage(code) }),
    ];
  });
}

/** The volunteer numbers, one per line, with how to type them and the batch's limit as its hint. */
function volunteersField(): HTMLElement {
  const volunteers = h('textarea', {
    name: 'volunteers',
    id: 'activity-volunteers',
    'data-field': 'volunteerNumbers',
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
    const numbers = typedNumbers(values.volunteers ?? '');
    const repeated = repeatedLines(numbers);
    if (repeated.length > 0) {
      status.show('error', t('activity.repeatedLines', { lines: repeated.join(', ') }));
      return;
    }
    const body = {
      activity: values.activity,
      organisationId: session.scopeId,
      ...serviceInstants(values.date ?? '', values.start ?? '', values.end ?? ''),
      volunteerNumbers: numbers.map(({ volunteerNumber }) => volunteerNumber),
    };
    if (refuseServiceTimes(form, status, body.startAt, body.endAt)) return;
    void submitting(button, status, async () => {
      try {
        const recorded = await call<Recorded>(session, '/v1/activities', {
          method: 'POST',
          body,
          idempotencyKey,
          retryReusesKey: true,
        });
        idempotencyKey = crypto.randomUUID();
        const hours = hoursNumber(recorded.records[0]?.durationMinutes ?? 0);
        status.show('ok', t('activity.done', { count: recorded.records.length, hours }));
      } catch (error) {
        const lines = failingLines(error, numbers);
        if (lines.length === 0) throw error;
        status.show(
          'error',
          `${describeError(error, form)} ${t('activity.failingLines', { lines: lines.join(t('activity.lineSeparator')) })}`,
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
