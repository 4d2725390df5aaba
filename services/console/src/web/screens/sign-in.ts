/**
 * Sign-in with a staff API key. There is no "who am I" route, so the user names the role (and
 * its scope: a desk's community, an organiser's organisation, a partner's id) and the console
 * proves the key with a read that role may make in that scope: a desk reads its community's
 * statistics, an organiser its pending queue, a partner its offers, an auditor the account
 * balances, an administrator the list of API keys. A wrong key is UNAUTHENTICATED, a key of another role or scope FORBIDDEN, both shown
 * translated.
 */
import { call } from '../lib/api.js';
import { field, formValues, h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { noticeOf, statusArea, submitting, type Screen } from '../lib/screen.js';
import { signIn, signOut, type StaffRole } from '../lib/session.js';

const STAFF_ROLES: readonly StaffRole[] = ['desk', 'organiser', 'partner', 'auditor', 'admin'];

/** Roles whose keys are unscoped (scope: all): no scope to name. */
const UNSCOPED: ReadonlySet<StaffRole> = new Set(['auditor', 'admin']);

/** Where each role starts. */
export const HOME: Record<StaffRole, string> = {
  desk: '/desk/find',
  organiser: '/organiser/queue',
  partner: '/partner/redeem',
  auditor: '/audit',
  admin: '/admin/keys',
};

function roleOf(value: string): StaffRole {
  return STAFF_ROLES.find((role) => role === value) ?? 'desk';
}

/** A read the role may make in its scope: it proves the key without changing anything. */
function proofRead(role: StaffRole, scopeId: string): string {
  if (role === 'desk') return `/v1/communities/${scopeId}/statistics`;
  if (role === 'organiser') return `/v1/organisations/${scopeId}/service-records?status=pending`;
  if (role === 'partner') return `/v1/partners/${scopeId}/offers`;
  if (role === 'admin') return '/v1/admin/api-keys';
  return '/v1/audit/balances';
}

export const signInScreen: Screen = (context) => {
  const status = statusArea();
  const role = h(
    'select',
    { name: 'role', id: 'sign-in-role' },
    ...STAFF_ROLES.map((option) => h('option', { value: option }, t(`role.${option}`))),
  );
  const key = h('input', {
    name: 'key',
    id: 'sign-in-key',
    type: 'password',
    autocomplete: 'off',
    required: true,
    spellcheck: 'false',
  });
  const scope = h('input', { name: 'scope', id: 'sign-in-scope', autocomplete: 'off' });
  const scopeField = field('', scope);
  const syncRole = (): void => {
    const chosen = roleOf(role.value);
    const unscoped = UNSCOPED.has(chosen);
    scopeField.hidden = unscoped;
    scope.required = !unscoped;
    const label = scopeField.querySelector('label');
    if (label !== null && chosen !== 'auditor' && chosen !== 'admin')
      label.textContent = t(`signIn.scope.${chosen}`);
  };
  role.addEventListener('change', syncRole);
  syncRole();
  const button = h('button', { type: 'submit' }, t('signIn.submit'));
  const form = h(
    'form',
    {},
    field(t('signIn.role'), role),
    field(t('signIn.key'), key),
    scopeField,
    button,
    status.element,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = formValues(form);
    const chosen = roleOf(values.role ?? '');
    void submitting(button, status, async () => {
      const session = signIn(values.key ?? '', chosen, UNSCOPED.has(chosen) ? null : (values.scope ?? ''));
      try {
        await call(session, proofRead(chosen, encodeURIComponent(session.scopeId ?? '')), {
          proving: true,
        });
      } catch (error) {
        signOut();
        throw error;
      }
      context.navigate(HOME[chosen]);
    });
  });
  return h(
    'section',
    {},
    h('h2', {}, t('signIn.title')),
    noticeOf(context),
    h('p', {}, t('signIn.intro')),
    form,
    h('p', {}, h('a', { href: '#/volunteer/sign-in' }, t('vSignIn.title'))),
  );
};
