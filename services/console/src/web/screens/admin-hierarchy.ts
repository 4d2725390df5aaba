/**
 * The city's hierarchy (city → district → street → community): every unit as the tree stands
 * now (`GET /v1/admin/hierarchy`), registering an area or a community (with its coordinator, whose
 * name and contact the ledger seals) and moving a community to another street.
 */
import { call } from '../lib/api.js';
import { field, formValues, h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
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

interface Unit {
  readonly unitId: string;
  readonly level: 'city' | 'district' | 'street' | 'community';
  readonly name: string;
  readonly parentId: string | null;
}

const LEVELS = ['city', 'district', 'street', 'community'] as const;

/** Depth-first from the roots, so each unit follows its parent. */
function inTreeOrder(units: readonly Unit[]): { unit: Unit; depth: number }[] {
  const children = new Map<string | null, Unit[]>();
  for (const unit of units) children.set(unit.parentId, [...(children.get(unit.parentId) ?? []), unit]);
  const ordered: { unit: Unit; depth: number }[] = [];
  const visit = (parentId: string | null, depth: number): void => {
    // Four levels; the bound guards against a cycle the deciders never allow.
    if (depth > 8) return;
    for (const unit of children.get(parentId) ?? []) {
      ordered.push({ unit, depth });
      visit(unit.unitId, depth + 1);
    }
  };
  visit(null, 0);
  return ordered;
}

function unitsTable(units: readonly Unit[]): HTMLElement {
  if (units.length === 0) return h('p', {}, t('admin.hierarchy.none'));
  const columns = [
    'admin.hierarchy.name',
    'admin.hierarchy.id',
    'admin.hierarchy.level',
    'admin.hierarchy.parent',
  ] as const;
  return dataTable(
    'units',
    t('admin.hierarchy.list'),
    columns,
    inTreeOrder(units).map(({ unit, depth }) =>
      h(
        'tr',
        { 'data-unit-id': unit.unitId },
        h('td', { class: `depth-${depth}` }, unit.name),
        h('td', {}, h('code', {}, unit.unitId)),
        h('td', {}, t(`admin.level.${unit.level}`)),
        h('td', {}, unit.parentId ?? ''),
      ),
    ),
  );
}

/** A form whose values are posted to `path` as `body(values)`; then the screen is shown again. */
function commandForm(
  session: Session,
  context: ScreenContext,
  spec: {
    fields: HTMLElement[];
    submit: string;
    path: (values: Record<string, string>) => string;
    body: (values: Record<string, string>) => unknown;
    done: (values: Record<string, string>) => string;
  },
): HTMLFormElement {
  const status = statusArea();
  let idempotencyKey = crypto.randomUUID();
  const button = h('button', { type: 'submit' }, spec.submit);
  const form = h('form', {}, ...spec.fields, button, status.element);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = formValues(form);
    void submitting(button, status, async () => {
      await call(session, spec.path(values), {
        method: 'POST',
        body: spec.body(values),
        idempotencyKey,
        retryReusesKey: true,
      });
      idempotencyKey = crypto.randomUUID();
      context.navigate('/admin/hierarchy', spec.done(values));
    });
  });
  return form;
}

const text = (name: string, id: string, required = true): HTMLInputElement =>
  h('input', { name, id, required, autocomplete: 'off' });

function hierarchyForms(
  session: Session,
  context: ScreenContext,
): { area: HTMLFormElement; community: HTMLFormElement; move: HTMLFormElement } {
  const level = h(
    'select',
    { name: 'level', id: 'area-level' },
    ...LEVELS.filter((option) => option !== 'community').map((option) =>
      h('option', { value: option }, t(`admin.level.${option}`)),
    ),
  );
  const area = commandForm(session, context, {
    fields: [
      field(t('admin.hierarchy.level'), level),
      field(t('admin.hierarchy.id'), text('areaId', 'area-id')),
      field(t('admin.hierarchy.name'), text('name', 'area-name')),
      field(t('admin.hierarchy.parentOptional'), text('parentId', 'area-parent', false)),
    ],
    submit: t('admin.hierarchy.registerArea'),
    path: () => '/v1/admin/areas',
    body: (values) => ({
      level: values.level,
      areaId: values.areaId,
      name: values.name,
      parentId: values.parentId === '' ? null : values.parentId,
    }),
    done: (values) => t('admin.hierarchy.registered', { name: values.name ?? '' }),
  });
  const community = commandForm(session, context, {
    fields: [
      field(t('admin.hierarchy.communityId'), text('communityId', 'community-id')),
      field(t('admin.hierarchy.communityName'), text('name', 'community-name')),
      field(t('admin.hierarchy.street'), text('streetId', 'community-street')),
      field(t('admin.hierarchy.coordinatorId'), text('coordinatorId', 'coordinator-id')),
      field(t('admin.hierarchy.coordinatorName'), text('coordinatorName', 'coordinator-name')),
      field(t('admin.hierarchy.coordinatorContact'), text('coordinatorContact', 'coordinator-contact')),
    ],
    submit: t('admin.hierarchy.registerCommunity'),
    path: () => '/v1/admin/communities',
    body: (values) => values,
    done: (values) => t('admin.hierarchy.registered', { name: values.name ?? '' }),
  });
  const move = commandForm(session, context, {
    fields: [
      field(t('admin.hierarchy.communityId'), text('communityId', 'move-community')),
      field(t('admin.hierarchy.toStreet'), text('toStreetId', 'move-street')),
    ],
    submit: t('admin.hierarchy.move'),
    path: (values) => `/v1/admin/communities/${encodeURIComponent(values.communityId ?? '')}/move`,
    body: (values) => ({ toStreetId: values.toStreetId }),
    done: (values) =>
      t('admin.hierarchy.moved', { community: values.communityId ?? '', street: values.toStreetId ?? '' }),
  });
  return { area, community, move };
}

export const adminHierarchyScreen: Screen = async (context) => {
  const session = requireSession(context);
  let units: readonly Unit[];
  try {
    units = (await call<{ units: Unit[] }>(session, '/v1/admin/hierarchy')).units;
  } catch (error) {
    return failedScreen(t('admin.hierarchy.title'), error);
  }
  const { area, community, move } = hierarchyForms(session, context);
  return h(
    'section',
    {},
    h('h2', {}, t('admin.hierarchy.title')),
    noticeOf(context),
    unitsTable(units),
    h('h3', {}, t('admin.hierarchy.newArea')),
    area,
    h('h3', {}, t('admin.hierarchy.newCommunity')),
    community,
    h('h3', {}, t('admin.hierarchy.moveTitle')),
    move,
  );
};
