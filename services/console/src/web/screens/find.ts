/** Find a volunteer by ID number (sent in a POST body, never in a URL) or by volunteer number. */
import { call } from '../lib/api.js';
import { field, formValues, h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { noticeOf, requireSession, statusArea, submitting, type Screen } from '../lib/screen.js';
import { typedNationalId, typedVolunteerNumber } from '../lib/typed-input.js';
import type { VolunteerSummary } from './volunteer-card.js';

export const findScreen: Screen = (context) => {
  const session = requireSession(context);

  const byNationalId = searchForm('find-national-id', t('register.nationalId'), 'nationalIdNumber', (value) =>
    call<VolunteerSummary>(session, '/v1/volunteers/lookup', {
      method: 'POST',
      body: { nationalIdNumber: typedNationalId(value) },
    }),
  );
  const byNumber = searchForm('find-number', t('find.volunteerNumber'), 'volunteerNumber', (value) =>
    call<VolunteerSummary>(
      session,
      `/v1/volunteers/by-number/${encodeURIComponent(typedVolunteerNumber(value))}`,
    ),
  );

  function searchForm(
    id: string,
    label: string,
    name: string,
    search: (value: string) => Promise<VolunteerSummary>,
  ): HTMLFormElement {
    const status = statusArea();
    const button = h('button', { type: 'submit' }, t('find.submit'));
    const form = h(
      'form',
      {},
      field(label, h('input', { id, name, required: true, autocomplete: 'off' })),
      button,
      status.element,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const value = formValues(form)[name] ?? '';
      void submitting(button, status, async () => {
        const found = await search(value);
        context.navigate(`/desk/volunteers/${found.volunteerId}`);
      });
    });
    return form;
  }

  return h(
    'section',
    {},
    h('h2', {}, t('find.title')),
    noticeOf(context),
    h('h3', {}, t('find.byNationalId')),
    byNationalId,
    h('h3', {}, t('find.byNumber')),
    byNumber,
  );
};
