/**
 * Register a volunteer at the desk. The ID number is checked as the clerk types with the
 * domain's own rule (GB 11643 check character), so a mistyped digit is caught before the request.
 */
import { formatCalendarDate, isValidNationalId, nationalIdBirthDate } from '@timebank/domain';
import { call } from '../lib/api.js';
import { field, formValues, h } from '../lib/dom.js';
import { t, todayInShanghai } from '../lib/i18n.js';
import { requireSession, statusArea, submitting, type Screen } from '../lib/screen.js';
import { typedNationalId, typedPhone } from '../lib/typed-input.js';

interface Registered {
  readonly volunteerId: string;
  readonly volunteerNumber: string;
}

/**
 * What the hint under the ID number says for what has been typed so far. A number whose check
 * character is right may still carry a birth date that is not a real day (30 February) or is after
 * `today` (`YYYY-MM-DD` in Asia/Shanghai): the API refuses those (NATIONAL_ID_BIRTH_DATE_INVALID),
 * so the hint says so before the clerk sends the form, rather than "passed".
 */
export function nationalIdFeedback(
  typed: string,
  today: string = todayInShanghai(),
): { readonly valid: boolean | null; readonly text: string } {
  const normalised = typedNationalId(typed);
  if (normalised.length === 0) return { valid: null, text: t('register.nationalIdHint') };
  if (normalised.length < 18 && /^[0-9]*$/.test(normalised))
    return { valid: null, text: t('register.nationalIdIncomplete', { count: normalised.length }) };
  if (!isValidNationalId(normalised)) return { valid: false, text: t('register.nationalIdInvalid') };
  const birth = nationalIdBirthDate(normalised);
  return birth === undefined || formatCalendarDate(birth) > today
    ? { valid: false, text: t('register.nationalIdBirthDateInvalid') }
    : { valid: true, text: t('register.nationalIdValid') };
}

/** The ID number input and its hint, which checks the number as the clerk types. */
function nationalIdInput(): { readonly input: HTMLInputElement; readonly hint: HTMLElement } {
  const input = h('input', {
    name: 'nationalIdNumber',
    id: 'national-id',
    required: true,
    autocomplete: 'off',
    // Room for the 18 characters in any grouping a clerk pastes (`1101 0519 6203 0803 12` is
    // 22); the API's own bound is 40.
    maxlength: 40,
    inputmode: 'text',
  });
  const hint = h('p', { class: 'hint', 'aria-live': 'polite' }, t('register.nationalIdHint'));
  input.addEventListener('input', () => {
    const feedback = nationalIdFeedback(input.value);
    hint.textContent = feedback.text;
    hint.className = feedback.valid === null ? 'hint' : feedback.valid ? 'hint ok' : 'hint error';
    input.setAttribute('aria-invalid', String(feedback.valid === false));
  });
  return { input, hint };
}

/** Below the age of majority the API asks for a guardian and their consent. */
function guardianFieldset(): HTMLFieldSetElement {
  return h(
    'fieldset',
    {},
    h('legend', {}, t('register.guardian')),
    field(t('register.guardianName'), h('input', { name: 'guardianName', autocomplete: 'off' })),
    field(
      t('register.guardianContact'),
      h('input', { name: 'guardianContact', type: 'tel', autocomplete: 'off' }),
    ),
    h(
      'div',
      { class: 'check' },
      h('input', { type: 'checkbox', name: 'guardianConsent', id: 'guardian-consent', value: 'yes' }),
      h('label', { for: 'guardian-consent' }, t('register.guardianConsent')),
    ),
  );
}

export const registerScreen: Screen = (context) => {
  const session = requireSession(context);
  const status = statusArea();
  let idempotencyKey = crypto.randomUUID();
  const { input: nationalId, hint } = nationalIdInput();
  const button = h('button', { type: 'submit' }, t('register.submit'));
  const form = h(
    'form',
    {},
    field(
      t('register.name'),
      h('input', { name: 'name', id: 'volunteer-name', required: true, autocomplete: 'off' }),
    ),
    field(t('register.nationalId'), nationalId, hint),
    field(
      t('register.phone'),
      h('input', { name: 'phone', id: 'volunteer-phone', type: 'tel', required: true, autocomplete: 'off' }),
    ),
    guardianFieldset(),
    button,
    status.element,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const feedback = nationalIdFeedback(nationalId.value);
    if (feedback.valid !== true) {
      status.show('error', feedback.valid === false ? feedback.text : t('register.nationalIdInvalid'));
      nationalId.focus();
      return;
    }
    const values = formValues(form);
    const body = {
      name: values.name,
      nationalIdNumber: typedNationalId(values.nationalIdNumber ?? ''),
      phone: typedPhone(values.phone ?? ''),
      community: session.scopeId,
      // Any guardian field filled sends the guardian: with the name forgotten, the API then names
      // 监护人姓名, where leaving the block out read 未满 18 周岁，需要监护人同意 although consent was ticked.
      ...(values.guardianName || values.guardianContact || values.guardianConsent === 'yes'
        ? {
            guardian: {
              name: values.guardianName ?? '',
              contact: typedPhone(values.guardianContact ?? ''),
              consentGiven: values.guardianConsent === 'yes',
            },
          }
        : {}),
    };
    void submitting(button, status, async () => {
      const registered = await call<Registered>(session, '/v1/volunteers', {
        method: 'POST',
        body,
        idempotencyKey,
        retryReusesKey: true,
      });
      idempotencyKey = crypto.randomUUID();
      context.navigate(
        `/desk/volunteers/${registered.volunteerId}`,
        t('register.done', { volunteerNumber: registered.volunteerNumber }),
      );
    });
  });
  return h('section', {}, h('h2', {}, t('register.title')), form);
};
