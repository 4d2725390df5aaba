/**
 * The administrator's API keys (`/v1/admin/api-keys`): issue one bound to a role and its scope,
 * shown once (the API keeps only its hash), list them (never the keys themselves) and revoke one,
 * which stops it at once.
 */
import { call } from '../lib/api.js';
import { field, formValues, h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import {
  noticeOf,
  requireSession,
  resultArea,
  statusArea,
  submitting,
  type Screen,
  type ScreenContext,
} from '../lib/screen.js';
import type { Session } from '../lib/session.js';
import { failedScreen } from './partner-offers.js';
import { dataTable } from '../lib/table.js';

/** Each key role and the kind of scope it is bound to (the API's SCOPE_KIND_OF_ROLE). */
const SCOPE_KIND = {
  desk: 'community',
  organiser: 'organisation',
  partner: 'partner',
  coordinator: 'area',
  auditor: 'all',
  admin: 'all',
} as const;
type KeyRole = keyof typeof SCOPE_KIND;
const KEY_ROLES = Object.keys(SCOPE_KIND) as KeyRole[];

interface KeySummary {
  readonly keyId: string;
  readonly role: string;
  readonly scope: { readonly kind: string; readonly id?: string };
  readonly label: string;
  readonly issuedBy: string;
  readonly revoked: boolean;
}

function roleName(role: string): string {
  const known = KEY_ROLES.find((candidate) => candidate === role);
  return known === undefined ? role : t(`admin.keyRole.${known}`);
}

/** Each scope kind in words (the API's `community`, `organisation`, … are not for the reader). */
const SCOPE_KIND_NAME = {
  community: 'admin.scopeKind.community',
  organisation: 'admin.scopeKind.organisation',
  partner: 'admin.scopeKind.partner',
  area: 'admin.scopeKind.area',
  volunteer: 'admin.scopeKind.volunteer',
} as const;

function scopeText(scope: KeySummary['scope']): string {
  if (scope.kind === 'all') return t('admin.keys.scopeAll');
  const kind = Object.entries(SCOPE_KIND_NAME).find(([name]) => name === scope.kind)?.[1];
  return t('admin.keys.scopeOf', { kind: kind === undefined ? scope.kind : t(kind), id: scope.id ?? '' });
}

function issueForm(session: Session, output: HTMLElement, context: ScreenContext): HTMLFormElement {
  const status = statusArea();
  let idempotencyKey = crypto.randomUUID();
  const role = h(
    'select',
    { name: 'role', id: 'key-role' },
    ...KEY_ROLES.map((option) => h('option', { value: option }, roleName(option))),
  );
  const scopeId = h('input', { name: 'scopeId', id: 'key-scope', autocomplete: 'off' });
  const scopeField = field(t('admin.keys.scopeId'), scopeId);
  const sync = (): void => {
    const unscoped = SCOPE_KIND[role.value as KeyRole] === 'all';
    scopeField.hidden = unscoped;
    scopeId.required = !unscoped;
  };
  role.addEventListener('change', sync);
  sync();
  const label = h('input', { name: 'label', id: 'key-label', required: true, autocomplete: 'off' });
  const button = h('button', { type: 'submit' }, t('admin.keys.issue'));
  const form = h(
    'form',
    {},
    field(t('admin.keys.role'), role),
    scopeField,
    field(t('admin.keys.label'), label),
    button,
    status.element,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = formValues(form);
    const kind = SCOPE_KIND[(values.role ?? 'desk') as KeyRole];
    const scope = kind === 'all' ? { kind } : { kind, id: values.scopeId ?? '' };
    void submitting(button, status, async () => {
      const issued = await call<KeySummary & { key?: string }>(session, '/v1/admin/api-keys', {
        method: 'POST',
        body: { role: values.role, scope, label: values.label },
        idempotencyKey,
        retryReusesKey: true,
      });
      idempotencyKey = crypto.randomUUID();
      form.reset();
      sync();
      // Shown once, on this screen only: the list below never has it, and reloading loses it. A
      // retry after a lost answer is the API's replay, which never shows the key again: say so
      // (revoke it, issue another) rather than announce a key and show an empty box.
      output.replaceChildren(
        issued.key === undefined
          ? h('p', { class: 'error', role: 'alert' }, t('admin.keys.keyLost', { label: issued.label }))
          : h(
              'div',
              { role: 'status' },
              h('p', { class: 'ok' }, t('admin.keys.issued', { label: issued.label })),
              h('p', {}, t('admin.keys.showOnce')),
              h('p', { id: 'new-key', class: 'new-key' }, issued.key),
            ),
      );
      const list = await keysTable(session, context);
      document.getElementById('api-keys-list')?.replaceChildren(list);
    });
  });
  return form;
}

async function keysTable(session: Session, context: ScreenContext): Promise<HTMLElement> {
  const { keys } = await call<{ keys: KeySummary[] }>(session, '/v1/admin/api-keys');
  const status = statusArea();
  const reason = h('input', { id: 'revoke-reason', autocomplete: 'off' });
  const revokeButton = (key: KeySummary): HTMLButtonElement => {
    const button = h(
      'button',
      { type: 'button', 'aria-label': t('admin.keys.revokeNamed', { label: key.label }) },
      t('admin.keys.revoke'),
    );
    button.addEventListener('click', () => {
      if (reason.value.trim() === '') {
        status.show('error', t('admin.reasonRequired'));
        reason.focus();
        return;
      }
      void submitting(button, status, async () => {
        await call(session, `/v1/admin/api-keys/${key.keyId}/revoke`, {
          method: 'POST',
          body: { reason: reason.value.trim() },
          idempotencyKey: crypto.randomUUID(),
        });
        context.navigate('/admin/keys', t('admin.keys.revoked', { label: key.label }));
      });
    });
    return button;
  };
  const columns = [
    'admin.keys.label',
    'admin.keys.role',
    'admin.keys.scope',
    'admin.keys.issuedBy',
    'admin.status',
    'admin.action',
  ] as const;
  return h(
    'div',
    {},
    field(t('admin.keys.revokeReason'), reason),
    status.element,
    dataTable(
      'api-keys',
      t('admin.keys.list'),
      columns,
      keys.map((key) =>
        h(
          'tr',
          { 'data-key-id': key.keyId },
          h('td', {}, key.label),
          h('td', {}, roleName(key.role)),
          h('td', {}, scopeText(key.scope)),
          h('td', {}, key.issuedBy),
          h('td', {}, key.revoked ? t('admin.keys.statusRevoked') : t('admin.statusActive')),
          h('td', {}, key.revoked ? '' : revokeButton(key)),
        ),
      ),
    ),
  );
}

export const adminKeysScreen: Screen = async (context) => {
  const session = requireSession(context);
  const output = resultArea({ id: 'issued-key' }, { shownOnce: true });
  let list: HTMLElement;
  try {
    list = await keysTable(session, context);
  } catch (error) {
    return failedScreen(t('admin.keys.title'), error);
  }
  return h(
    'section',
    {},
    h('h2', {}, t('admin.keys.title')),
    noticeOf(context),
    h('h3', {}, t('admin.keys.new')),
    issueForm(session, output, context),
    output,
    h('div', { id: 'api-keys-list' }, list),
  );
};
