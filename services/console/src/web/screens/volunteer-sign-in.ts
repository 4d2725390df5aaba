/**
 * A volunteer signs in with their volunteer number and passphrase (`POST /v1/volunteer-sessions`)
 * for a session token valid 60 minutes, kept in this tab's sessionStorage like a staff key. The
 * first time, they set the passphrase with the activation code the desk printed for them
 * (`POST /v1/volunteer-sessions/activate`); the same form resets a forgotten one.
 */
import { ApiError, callPublic, NETWORK_ERROR, TIMEOUT } from '../lib/api.js';
import { field, formValues, h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { noticeOf, statusArea, submitting, type Screen } from '../lib/screen.js';
import { signIn } from '../lib/session.js';
import { typedActivationCode, typedVolunteerNumber } from '../lib/typed-input.js';

/** The API's own bound (docs/api.md): at least 10 characters, at most 200. */
const PASSPHRASE_LENGTH_MIN = 10;

export const VOLUNTEER_HOME = '/volunteer';

function numberInput(id: string): HTMLInputElement {
  return h('input', {
    id,
    name: 'volunteerNumber',
    required: true,
    autocomplete: 'username',
    autocapitalize: 'characters',
    spellcheck: 'false',
  });
}

function passphraseInput(id: string, autocomplete: string): HTMLInputElement {
  return h('input', {
    id,
    name: 'passphrase',
    type: 'password',
    required: true,
    minlength: PASSPHRASE_LENGTH_MIN,
    maxlength: 200,
    autocomplete,
  });
}

async function startSession(volunteerNumber: string, passphrase: string): Promise<void> {
  const session = await callPublic<{ token: string; volunteerId: string; expiresAt: string }>(
    '/v1/volunteer-sessions',
    {
      method: 'POST',
      body: { volunteerNumber, passphrase },
      idempotencyKey: crypto.randomUUID(),
    },
  );
  signIn(session.token, 'volunteer', session.volunteerId, Date.parse(session.expiresAt));
}

export const volunteerSignInScreen: Screen = (context) => {
  const status = statusArea();
  const button = h('button', { type: 'submit' }, t('vSignIn.submit'));
  const passphrase = passphraseInput('v-sign-in-passphrase', 'current-password');
  const form = h(
    'form',
    {},
    field(t('vSignIn.number'), numberInput('v-sign-in-number')),
    field(t('vSignIn.passphrase'), passphrase),
    button,
    status.element,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = formValues(form);
    void submitting(button, status, async () => {
      // The passphrase as typed: its spaces are part of it (formValues trims).
      await startSession(typedVolunteerNumber(values.volunteerNumber ?? ''), passphrase.value);
      context.navigate(VOLUNTEER_HOME);
    });
  });
  return h(
    'section',
    { class: 'phone' },
    h('h2', {}, t('vSignIn.title')),
    noticeOf(context),
    h('p', {}, t('vSignIn.intro')),
    form,
    h('p', {}, h('a', { href: '#/volunteer/activate' }, t('vSignIn.toActivate'))),
    h('p', {}, h('a', { href: '#/sign-in' }, t('vSignIn.toStaff'))),
  );
};

/**
 * Sets the passphrase with the activation code and signs in with it. After a press whose answer
 * was lost (`answerLost`) the code may have been used by that press, which set this passphrase:
 * a refused code is then checked by signing in, and only a failed sign-in leaves it refused.
 */
async function activate(
  volunteerNumber: string,
  activationCode: string,
  passphrase: string,
  answerLost: boolean,
): Promise<void> {
  try {
    await callPublic('/v1/volunteer-sessions/activate', {
      method: 'POST',
      body: { volunteerNumber, activationCode: typedActivationCode(activationCode), passphrase },
      idempotencyKey: crypto.randomUUID(),
    });
  } catch (error) {
    if (!answerLost || !(error instanceof ApiError) || error.code !== 'ACTIVATION_CODE_INVALID') throw error;
    try {
      await startSession(volunteerNumber, passphrase);
      return;
    } catch (signInError) {
      throw isLostAnswer(signInError) ? signInError : error;
    }
  }
  await startSession(volunteerNumber, passphrase);
}

/** A request that may have been carried out though no answer came: no connection, or a timeout. */
function isLostAnswer(error: unknown): boolean {
  return error instanceof ApiError && (error.code === NETWORK_ERROR || error.code === TIMEOUT);
}

export const volunteerActivateScreen: Screen = (context) => {
  const status = statusArea();
  const button = h('button', { type: 'submit' }, t('vActivate.submit'));
  const passphrase = passphraseInput('v-activate-passphrase', 'new-password');
  const repeat = h('input', {
    id: 'v-activate-repeat',
    name: 'repeat',
    type: 'password',
    required: true,
    autocomplete: 'new-password',
  });
  const hint = h('p', { class: 'hint' }, t('vActivate.passphraseHint', { count: PASSPHRASE_LENGTH_MIN }));
  const form = h(
    'form',
    {},
    field(t('vSignIn.number'), numberInput('v-activate-number')),
    field(
      t('vActivate.code'),
      h('input', {
        id: 'v-activate-code',
        name: 'activationCode',
        required: true,
        autocomplete: 'one-time-code',
        autocapitalize: 'characters',
        spellcheck: 'false',
      }),
    ),
    field(t('vActivate.passphrase'), passphrase, hint),
    field(t('vActivate.repeat'), repeat),
    button,
    status.element,
  );
  // Setting a passphrase records no response (docs/api.md, Idempotency), so a retry cannot be
  // answered with the first press's outcome: whether an answer was lost is remembered instead.
  let answerLost = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = formValues(form);
    const volunteerNumber = typedVolunteerNumber(values.volunteerNumber ?? '');
    // Compared untrimmed: a passphrase's spaces are part of it.
    if (passphrase.value !== repeat.value) {
      status.show('error', t('vActivate.mismatch'));
      return;
    }
    void submitting(button, status, async () => {
      try {
        await activate(volunteerNumber, values.activationCode ?? '', passphrase.value, answerLost);
      } catch (error) {
        answerLost ||= isLostAnswer(error);
        throw error;
      }
      context.navigate(VOLUNTEER_HOME, t('vActivate.done'));
    });
  });
  return h(
    'section',
    { class: 'phone' },
    h('h2', {}, t('vActivate.title')),
    noticeOf(context),
    h('p', {}, t('vActivate.intro')),
    form,
    h('p', {}, h('a', { href: '#/volunteer/sign-in' }, t('vActivate.toSignIn'))),
  );
};
