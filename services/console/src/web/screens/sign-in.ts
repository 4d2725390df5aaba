/**
 * Sign-in with a staff API key. There is no "who am I" route, so the clerk names the role (and a
 * desk its community) and the console proves the key with a read that role may make in that
 * scope: a desk reads its community's statistics, an auditor the account balances. A wrong key
 * is UNAUTHENTICATED, a key of another role or community FORBIDDEN, both shown translated.
 */
import { call } from '../lib/api.js';
import { field, formValues, h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { noticeOf, statusArea, submitting, type Screen } from '../lib/screen.js';
import { signIn, signOut, type StaffRole } from '../lib/session.js';

export const signInScreen: Screen = (context) => {
  const status = statusArea();
  const role = h(
    'select',
    { name: 'role', id: 'sign-in-role' },
    h('option', { value: 'desk' }, t('role.desk')),
    h('option', { value: 'auditor' }, t('role.auditor')),
  );
  const key = h('input', {
    name: 'key',
    id: 'sign-in-key',
    type: 'password',
    autocomplete: 'off',
    required: true,
    spellcheck: 'false',
  });
  const community = h('input', { name: 'community', id: 'sign-in-community', autocomplete: 'off' });
  const communityField = field(t('signIn.community'), community);
  const syncRole = (): void => {
    communityField.hidden = role.value !== 'desk';
    community.required = role.value === 'desk';
  };
  role.addEventListener('change', syncRole);
  syncRole();
  const button = h('button', { type: 'submit' }, t('signIn.submit'));
  const form = h(
    'form',
    {},
    field(t('signIn.role'), role),
    field(t('signIn.key'), key),
    communityField,
    button,
    status.element,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = formValues(form);
    const chosen: StaffRole = values.role === 'auditor' ? 'auditor' : 'desk';
    void submitting(button, status, async () => {
      const session = signIn(values.key ?? '', chosen, chosen === 'desk' ? (values.community ?? '') : null);
      try {
        await call(
          session,
          chosen === 'desk'
            ? `/v1/communities/${encodeURIComponent(session.community ?? '')}/statistics`
            : '/v1/audit/balances',
        );
      } catch (error) {
        signOut();
        throw error;
      }
      context.navigate(chosen === 'desk' ? '/desk/find' : '/audit');
    });
  });
  return h(
    'section',
    {},
    h('h2', {}, t('signIn.title')),
    noticeOf(context),
    h('p', {}, t('signIn.intro')),
    form,
  );
};
