/**
 * The administrator's registry: organisations (register, suspend, reinstate) and partners
 * (register, listed with their status, suspend and reinstate). Suspending needs a reason, which
 * the event keeps. The API has no list of organisations yet (no read model holds them), so that
 * screen acts on an organisation by its id.
 */
import { call } from '../lib/api.js';
import { field, formValues, h } from '../lib/dom.js';
import { formatInstant, t } from '../lib/i18n.js';
import type { MessageKey } from '../messages/zh-cn.js';
import {
  noticeOf,
  requireSession,
  statusArea,
  submitting,
  type Screen,
  type ScreenContext,
} from '../lib/screen.js';
import type { Session } from '../lib/session.js';
import { failedScreen } from './partner-offers.js';

interface PartnerRow {
  readonly partnerId: string;
  readonly name: string;
  readonly community: string;
  readonly status: 'active' | 'suspended';
  readonly registeredAt: string;
}

/**
 * Where to go after a write: the partners' list is a read model, so it is read again at the
 * write's position (`/admin/partners/<position>`), like the organiser's queue.
 */
function afterWrite(back: string, written: { position?: string | null }): string {
  return back === '/admin/partners' && typeof written.position === 'string'
    ? `${back}/${written.position}`
    : back;
}

const text = (name: string, id: string): HTMLInputElement =>
  h('input', { name, id, required: true, autocomplete: 'off' });

/** A registration form: id, name and community, posted to `path`. */
function registerForm(
  session: Session,
  context: ScreenContext,
  kind: 'organisation' | 'partner',
  back: string,
): HTMLFormElement {
  const status = statusArea();
  let idempotencyKey = crypto.randomUUID();
  const idName = kind === 'organisation' ? 'organisationId' : 'partnerId';
  const button = h('button', { type: 'submit' }, t(`admin.${kind}.register`));
  const form = h(
    'form',
    {},
    field(t(`admin.${kind}.id`), text(idName, `${kind}-id`)),
    field(t(`admin.${kind}.name`), text('name', `${kind}-name`)),
    field(t('admin.community'), text('community', `${kind}-community`)),
    button,
    status.element,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = formValues(form);
    void submitting(button, status, async () => {
      const written = await call<{ position?: string | null }>(session, `/v1/admin/${kind}s`, {
        method: 'POST',
        body: { [idName]: values[idName], name: values.name, community: values.community },
        idempotencyKey,
      });
      idempotencyKey = crypto.randomUUID();
      context.navigate(afterWrite(back, written), t(`admin.${kind}.registered`, { name: values.name ?? '' }));
    });
  });
  return form;
}

/** Suspends (with the reason typed in `reason`) or reinstates; then shows `back` with a notice. */
async function changeStatus(
  session: Session,
  context: ScreenContext,
  target: { kind: 'organisation' | 'partner'; id: string; suspend: boolean; reason: string },
  back: string,
): Promise<void> {
  const path = `/v1/admin/${target.kind}s/${encodeURIComponent(target.id)}/${target.suspend ? 'suspend' : 'reinstate'}`;
  const written = await call<{ position?: string | null }>(session, path, {
    method: 'POST',
    body: target.suspend ? { reason: target.reason } : {},
    idempotencyKey: crypto.randomUUID(),
  });
  const key: MessageKey = target.suspend ? 'admin.suspended' : 'admin.reinstated';
  context.navigate(afterWrite(back, written), t(key, { id: target.id }));
}

function organisationStatusForm(session: Session, context: ScreenContext): HTMLFormElement {
  const status = statusArea();
  const id = text('organisationId', 'organisation-status-id');
  const reason = h('input', { name: 'reason', id: 'organisation-reason', autocomplete: 'off' });
  const suspend = h('button', { type: 'button' }, t('admin.suspend'));
  const reinstate = h('button', { type: 'button' }, t('admin.reinstate'));
  const act = (button: HTMLButtonElement, suspending: boolean): void => {
    if (id.value.trim() === '' || (suspending && reason.value.trim() === '')) {
      status.show('error', t(suspending ? 'admin.reasonRequired' : 'admin.idRequired'));
      return;
    }
    void submitting(button, status, () =>
      changeStatus(
        session,
        context,
        { kind: 'organisation', id: id.value.trim(), suspend: suspending, reason: reason.value.trim() },
        '/admin/organisations',
      ),
    );
  };
  suspend.addEventListener('click', () => act(suspend, true));
  reinstate.addEventListener('click', () => act(reinstate, false));
  return h(
    'form',
    {},
    field(t('admin.organisation.id'), id),
    field(t('admin.suspendReason'), reason),
    h('div', { class: 'actions' }, suspend, reinstate),
    status.element,
  );
}

export const adminOrganisationsScreen: Screen = (context) => {
  const session = requireSession(context);
  return h(
    'section',
    {},
    h('h2', {}, t('admin.organisations.title')),
    noticeOf(context),
    h('h3', {}, t('admin.organisation.new')),
    registerForm(session, context, 'organisation', '/admin/organisations'),
    h('h3', {}, t('admin.organisation.status')),
    organisationStatusForm(session, context),
  );
};

/** The row's button: suspend an active partner (with the reason typed above), reinstate a suspended one. */
function statusButton(
  session: Session,
  context: ScreenContext,
  partner: PartnerRow,
  form: { reason: HTMLInputElement; status: ReturnType<typeof statusArea> },
): HTMLButtonElement {
  const { reason, status } = form;
  const suspending = partner.status === 'active';
  const button = h(
    'button',
    {
      type: 'button',
      'aria-label': t(suspending ? 'admin.suspendNamed' : 'admin.reinstateNamed', { name: partner.name }),
    },
    t(suspending ? 'admin.suspend' : 'admin.reinstate'),
  );
  button.addEventListener('click', () => {
    if (suspending && reason.value.trim() === '') {
      status.show('error', t('admin.reasonRequired'));
      reason.focus();
      return;
    }
    void submitting(button, status, () =>
      changeStatus(
        session,
        context,
        { kind: 'partner', id: partner.partnerId, suspend: suspending, reason: reason.value.trim() },
        '/admin/partners',
      ),
    );
  });
  return button;
}

function partnersTable(
  session: Session,
  context: ScreenContext,
  partners: readonly PartnerRow[],
): HTMLElement {
  if (partners.length === 0) return h('p', {}, t('admin.partner.none'));
  const status = statusArea();
  const reason = h('input', { id: 'partner-reason', autocomplete: 'off' });
  const action = (partner: PartnerRow): HTMLButtonElement =>
    statusButton(session, context, partner, { reason, status });
  const columns = [
    'admin.partner.name',
    'admin.partner.id',
    'admin.community',
    'admin.registeredAt',
    'admin.status',
    'admin.action',
  ] as const;
  return h(
    'div',
    {},
    field(t('admin.suspendReason'), reason),
    status.element,
    h(
      'table',
      { id: 'partners' },
      h('caption', {}, t('admin.partner.list')),
      h('thead', {}, h('tr', {}, ...columns.map((key) => h('th', { scope: 'col' }, t(key))))),
      h(
        'tbody',
        {},
        ...partners.map((partner) =>
          h(
            'tr',
            { 'data-partner-id': partner.partnerId },
            h('td', {}, partner.name),
            h('td', {}, h('code', {}, partner.partnerId)),
            h('td', {}, partner.community),
            h('td', {}, formatInstant(partner.registeredAt)),
            h('td', {}, t(partner.status === 'active' ? 'admin.statusActive' : 'admin.statusSuspended')),
            h('td', {}, action(partner)),
          ),
        ),
      ),
    ),
  );
}

export const adminPartnersScreen: Screen = async (context) => {
  const session = requireSession(context);
  let partners: readonly PartnerRow[];
  try {
    const minPosition = /^\d+$/.test(context.params[0] ?? '') ? `?minPosition=${context.params[0]}` : '';
    partners = (await call<{ partners: PartnerRow[] }>(session, `/v1/admin/partners${minPosition}`)).partners;
  } catch (error) {
    return failedScreen(t('admin.partners.title'), error);
  }
  return h(
    'section',
    {},
    h('h2', {}, t('admin.partners.title')),
    noticeOf(context),
    partnersTable(session, context, partners),
    h('h3', {}, t('admin.partner.new')),
    registerForm(session, context, 'partner', '/admin/partners'),
  );
};
