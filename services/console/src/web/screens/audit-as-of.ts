/**
 * A volunteer as of a past local date and time
 * (`GET /v1/audit/volunteers/by-number/:volunteerNumber/as-of?at=`), folded from their stream:
 * hours, stars and points exactly as they stood then, whatever came after. The auditor names the
 * volunteer by the number printed on certificates (`TB…`), never the internal id, typed as people
 * type it (lower case, spaces, full-width digits); the API resolves the number.
 */
import { call } from '../lib/api.js';
import { field, formValues, h } from '../lib/dom.js';
import {
  formatHours,
  formatPoints,
  shanghaiDateTime,
  shanghaiInstant,
  t,
  todayInShanghai,
} from '../lib/i18n.js';
import { requireSession, resultArea, statusArea, submitting, type Screen } from '../lib/screen.js';
import { typedVolunteerNumber } from '../lib/typed-input.js';

interface AsOf {
  readonly summary: {
    readonly volunteerNumber: string;
    readonly confirmedMinutes: number;
    readonly pendingMinutes: number;
    readonly awardedStars: number;
    readonly eligibleStars: number;
    readonly availableCentipoints: number;
    readonly heldCentipoints: number;
  };
  readonly position: string;
  readonly eventsApplied: number;
}

function figures(result: AsOf, when: string): HTMLElement {
  const rows: [string, string, string][] = [
    [t('audit.asOf.volunteerNumber'), result.summary.volunteerNumber, 'number'],
    [t('audit.asOf.confirmed'), formatHours(result.summary.confirmedMinutes), 'confirmed'],
    [t('audit.asOf.pending'), formatHours(result.summary.pendingMinutes), 'pending'],
    [t('audit.asOf.stars'), `${result.summary.awardedStars} / ${result.summary.eligibleStars}`, 'stars'],
    [t('audit.asOf.available'), formatPoints(result.summary.availableCentipoints), 'available'],
    [t('audit.asOf.held'), formatPoints(result.summary.heldCentipoints), 'held'],
    [t('audit.asOf.events'), String(result.eventsApplied), 'events'],
    [t('audit.asOf.position'), result.position, 'position'],
  ];
  return h(
    'div',
    { id: 'as-of-result', role: 'status' },
    h('h3', {}, t('audit.asOf.at', { when })),
    h(
      'dl',
      { class: 'figures' },
      ...rows.flatMap(([label, value, name]) => [
        h('dt', {}, label),
        h('dd', { 'data-figure': name }, value),
      ]),
    ),
  );
}

/**
 * The instant to ask about and its heading. The API refuses an instant after now (400 naming
 * `query.at`), so today at a time still to come (the form's default, 23:59) is asked as of
 * now, and the heading says so rather than show a time the figures are not of.
 */
export function pastInstant(
  date: string,
  time: string,
  nowMs: number = Date.now(),
): { at: string; when: string } {
  const at = shanghaiInstant(date, time);
  const atMs = Date.parse(at);
  // Only today is folded: a later day typed past the date input's max is the API's to refuse.
  if (Number.isNaN(atMs) || atMs <= nowMs || date !== todayInShanghai(nowMs))
    return { at, when: `${date} ${time}` };
  // Now itself, not the minute it began: what was recorded seconds ago belongs in the answer.
  const now = new Date(nowMs).toISOString();
  return { at: now, when: shanghaiDateTime(now).slice(0, 16) };
}

export const auditAsOfScreen: Screen = (context) => {
  const session = requireSession(context);
  const status = statusArea();
  const output = resultArea();
  const button = h('button', { type: 'submit' }, t('audit.asOf.show'));
  const form = h(
    'form',
    {},
    field(
      t('audit.asOf.volunteerNumber'),
      h('input', { name: 'volunteerNumber', id: 'as-of-volunteer', required: true, autocomplete: 'off' }),
      h('p', { class: 'hint' }, t('audit.asOf.volunteerNumberHint')),
    ),
    field(
      t('audit.asOf.date'),
      // No later than today: the ledger cannot know the future, and a later date would show today's
      // figures under that date's heading.
      h('input', {
        name: 'date',
        id: 'as-of-date',
        type: 'date',
        required: true,
        value: todayInShanghai(),
        max: todayInShanghai(),
        'data-field': 'at',
      }),
    ),
    field(
      t('audit.asOf.time'),
      h('input', { name: 'time', id: 'as-of-time', type: 'time', required: true, value: '23:59' }),
    ),
    button,
    status.element,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = formValues(form);
    void submitting(button, status, async () => {
      const { at, when } = pastInstant(values.date ?? '', values.time ?? '');
      const volunteerNumber = typedVolunteerNumber(values.volunteerNumber ?? '');
      const result = await call<AsOf>(
        session,
        `/v1/audit/volunteers/by-number/${encodeURIComponent(volunteerNumber)}/as-of?at=${encodeURIComponent(at)}`,
      );
      output.replaceChildren(figures(result, when));
    });
  });
  return h(
    'section',
    {},
    h('h2', {}, t('audit.asOf.title')),
    h('p', {}, t('audit.asOf.intro')),
    form,
    output,
  );
};
