/**
 * Record service for a volunteer of the desk's community. A desk records under its community
 * id as the organising body (docs/api.md, "Service a desk records"); an administrator confirms.
 * Times are entered in Asia/Shanghai.
 */
import { DEFAULT_LEDGER_RULES } from '@timebank/domain';
import { call } from '../lib/api.js';
import { field, formValues, h } from '../lib/dom.js';
import { errorMessage, hoursNumber, personalText, shanghaiInstant, t, todayInShanghai } from '../lib/i18n.js';
import { describeError, requireSession, statusArea, submitting, type Screen } from '../lib/screen.js';
import type { VolunteerSummary } from './volunteer-card.js';

/** Activity, date, start and end; the times are read as Asia/Shanghai. */
export function serviceFields(): HTMLElement[] {
  const timeZoneNote = h('p', { class: 'hint', id: 'service-time-zone' }, t('service.timeZone'));
  return [
    field(
      t('service.activity'),
      h('input', { name: 'activity', id: 'service-activity', required: true, autocomplete: 'off' }),
    ),
    field(
      t('service.date'),
      h('input', {
        name: 'date',
        id: 'service-date',
        type: 'date',
        required: true,
        value: todayInShanghai(),
        // Service cannot end after now (SERVICE_END_IN_FUTURE): a later day is not offered.
        max: todayInShanghai(),
      }),
    ),
    field(
      t('service.start'),
      h('input', {
        name: 'start',
        id: 'service-start',
        type: 'time',
        required: true,
        'data-field': 'startAt',
      }),
      timeZoneNote,
    ),
    field(
      t('service.end'),
      h('input', { name: 'end', id: 'service-end', type: 'time', required: true, 'data-field': 'endAt' }),
    ),
  ];
}

/** A day in Asia/Shanghai, which has no daylight saving: the next day is always 24 hours on. */
const DAY_MS = 24 * 3600 * 1000;
/**
 * The longest service read as running past midnight: the policy's default per-record cap (12 h,
 * `DEFAULT_LEDGER_RULES.serviceRecordMinutesMax`). A longer span with the end before the start is
 * more likely a slip of the hand than a night's service, and is said as an end before the start.
 */
const OVERNIGHT_SPAN_MAX_MS = DEFAULT_LEDGER_RULES.serviceRecordMinutesMax * 60 * 1000;

/**
 * The instants of service typed as a date and two times in Asia/Shanghai. Night care runs past
 * midnight (22:00 to 01:00): an end time earlier than the start is on the next day when the span
 * is at most the per-record cap; without this the form could not record such service at all,
 * and said that the end must come after the start.
 */
export function serviceInstants(
  date: string,
  start: string,
  end: string,
): { readonly startAt: string; readonly endAt: string } {
  const startAt = shanghaiInstant(date, start);
  const endAt = shanghaiInstant(date, end);
  const startMs = Date.parse(startAt);
  const endMs = Date.parse(endAt);
  const overnight = endMs < startMs && endMs + DAY_MS - startMs <= OVERNIGHT_SPAN_MAX_MS;
  return overnight ? { startAt, endAt: new Date(endMs + DAY_MS).toISOString() } : { startAt, endAt };
}

/**
 * The code of the refusal the API would answer for these times, found before anything is sent,
 * or null: an end after `nowMs` (SERVICE_END_IN_FUTURE; the date's `max` keeps out a later day,
 * not a later hour of today) or an end not after the start (SERVICE_END_BEFORE_START).
 */
export function serviceTimesRefusal(
  startAt: string,
  endAt: string,
  nowMs: number = Date.now(),
): string | null {
  const start = Date.parse(startAt);
  const end = Date.parse(endAt);
  if (Number.isNaN(start) || Number.isNaN(end)) return null;
  if (end > nowMs) return 'SERVICE_END_IN_FUTURE';
  if (end <= start) return 'SERVICE_END_BEFORE_START';
  return null;
}

/**
 * Says the refusal of `serviceTimesRefusal` in `status` and moves focus to the end time; true when
 * there was one (and nothing is to be sent).
 */
export function refuseServiceTimes(
  form: HTMLFormElement,
  status: { show(kind: 'error', text: string): void },
  startAt: string,
  endAt: string,
): boolean {
  const refusal = serviceTimesRefusal(startAt, endAt);
  if (refusal === null) return false;
  status.show('error', errorMessage(refusal));
  form.querySelector<HTMLInputElement>('input[name="end"]')?.focus();
  return true;
}

export const recordServiceScreen: Screen = async (context) => {
  const session = requireSession(context);
  const volunteerId = context.params[0] ?? '';
  const cardPath = `/desk/volunteers/${volunteerId}`;
  let summary: VolunteerSummary;
  try {
    summary = await call<VolunteerSummary>(session, `/v1/volunteers/${encodeURIComponent(volunteerId)}`);
  } catch (error) {
    return h(
      'section',
      {},
      h('h2', {}, t('service.title')),
      h('p', { class: 'error', role: 'alert' }, describeError(error)),
    );
  }
  const status = statusArea();
  let idempotencyKey = crypto.randomUUID();
  const button = h('button', { type: 'submit' }, t('service.submit'));
  const form = h('form', {}, ...serviceFields(), button, status.element);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = formValues(form);
    const body = {
      activity: values.activity,
      organisationId: session.scopeId,
      ...serviceInstants(values.date ?? '', values.start ?? '', values.end ?? ''),
    };
    if (refuseServiceTimes(form, status, body.startAt, body.endAt)) return;
    void submitting(button, status, async () => {
      const recorded = await call<{ durationMinutes: number }>(
        session,
        `/v1/volunteers/${encodeURIComponent(volunteerId)}/service-records`,
        { method: 'POST', body, idempotencyKey, retryReusesKey: true },
      );
      idempotencyKey = crypto.randomUUID();
      context.navigate(cardPath, t('service.done', { hours: hoursNumber(recorded.durationMinutes) }));
    });
  });
  return h(
    'section',
    {},
    h('h2', {}, t('service.title')),
    h(
      'p',
      {},
      t('service.for', { name: personalText(summary.name), volunteerNumber: summary.volunteerNumber }),
    ),
    form,
    h('p', {}, h('a', { href: `#${cardPath}` }, t('service.back'))),
  );
};
