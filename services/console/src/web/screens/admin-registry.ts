/**
 * The administrator's registry: organisations and partners, each listed with its status (read
 * models, read again at a write's position), registered, and suspended or reinstated from its
 * row. Suspending needs a reason, which the event keeps.
 */
import { call } from '../lib/api.js';
import { field, formValues, h } from '../lib/dom.js';
import { formatInstant, t } from '../lib/i18n.js';
import { allPages, type Paged } from '../lib/pages.js';
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
import { dataTable } from '../lib/table.js';

type Kind = 'organisation' | 'partner';

/** A row of either list, its id under `organisationId` or `partnerId`. */
interface RegistryRow {
  readonly organisationId?: string;
  readonly partnerId?: string;
  readonly name: string;
  readonly community: string;
  readonly status: 'active' | 'suspended';
  readonly registeredAt: string;
}

/**
 * Where to go after a write: each list is a read model, so it is read again at the
 * write's position (`/admin/partners/<position>`, `/admin/organisations/<position>`), like the organiser's queue.
 */
function afterWrite(back: string, written: { position?: string | null }): string {
  return typeof written.position === 'string' ? `${back}/${written.position}` : back;
}

const text = (name: string, id: string): HTMLInputElement =>
  h('input', { name, id, required: true, autocomplete: 'off' });

/** A registration form: id, name and community, posted to `path`. */
function registerForm(session: Session, context: ScreenContext, kind: Kind, back: string): HTMLFormElement {
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
        retryReusesKey: true,
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
  target: { kind: Kind; id: string; suspend: boolean; reason: string },
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

const idOf = (kind: Kind, row: RegistryRow): string =>
  (kind === 'organisation' ? row.organisationId : row.partnerId) ?? '';

/** The row's button: suspend an active one (with the reason typed above), reinstate a suspended one. */
function statusButton(
  session: Session,
  context: ScreenContext,
  partner: RegistryRow,
  form: { kind: Kind; reason: HTMLInputElement; status: ReturnType<typeof statusArea> },
): HTMLButtonElement {
  const { kind, reason, status } = form;
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
        { kind, id: idOf(kind, partner), suspend: suspending, reason: reason.value.trim() },
        `/admin/${kind}s`,
      ),
    );
  });
  return button;
}

function registryTable(
  session: Session,
  context: ScreenContext,
  kind: Kind,
  partners: readonly RegistryRow[],
): HTMLElement {
  if (partners.length === 0) return h('p', {}, t(`admin.${kind}.none`));
  const status = statusArea();
  const reason = h('input', { id: `${kind}-reason`, autocomplete: 'off' });
  const action = (partner: RegistryRow): HTMLButtonElement =>
    statusButton(session, context, partner, { kind, reason, status });
  const columns = [
    `admin.${kind}.name`,
    `admin.${kind}.id`,
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
    dataTable(
      `${kind}s`,
      t(`admin.${kind}.list`),
      columns,
      partners.map((partner) =>
        h(
          'tr',
          { [`data-${kind}-id`]: idOf(kind, partner) },
          h('td', {}, partner.name),
          h('td', {}, h('code', {}, idOf(kind, partner))),
          h('td', {}, partner.community),
          h('td', {}, formatInstant(partner.registeredAt)),
          h('td', {}, t(partner.status === 'active' ? 'admin.statusActive' : 'admin.statusSuspended')),
          h('td', {}, action(partner)),
        ),
      ),
    ),
  );
}

/**
 * The list of `kind`s, every page of it (read at the position in the path, if any), then the form
 * registering one.
 */
function registryScreen(kind: Kind): Screen {
  return async (context) => {
    const session = requireSession(context);
    const title = t(`admin.${kind}s.title`);
    let rows: readonly RegistryRow[];
    try {
      const minPosition = /^\d+$/.test(context.params[0] ?? '') ? `?minPosition=${context.params[0]}` : '';
      const pages = await allPages(
        (path) => call<Paged & { readonly [list in `${Kind}s`]?: RegistryRow[] }>(session, path),
        `/v1/admin/${kind}s${minPosition}`,
      );
      rows = pages.flatMap((page) => page[`${kind}s`] ?? []);
    } catch (error) {
      return failedScreen(title, error);
    }
    return h(
      'section',
      {},
      h('h2', {}, title),
      noticeOf(context),
      registryTable(session, context, kind, rows),
      h('h3', {}, t(`admin.${kind}.new`)),
      registerForm(session, context, kind, `/admin/${kind}s`),
    );
  };
}

export const adminOrganisationsScreen: Screen = registryScreen('organisation');
export const adminPartnersScreen: Screen = registryScreen('partner');
