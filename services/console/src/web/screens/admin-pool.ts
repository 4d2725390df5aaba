/**
 * The administrator's donation pool (`GET /v1/admin/donation-pool`): its balance, the beneficiary
 * categories in serving order (priority 1 first, each with a monthly allowance per beneficiary),
 * the beneficiaries with what they were allocated this local month (and, on a tap, their spending
 * account), and the forms that configure a category, register a beneficiary and run an
 * allocation. The pool is folded from its stream by the API, so the screen is current at once.
 */
import { call } from '../lib/api.js';
import { field, formValues, h } from '../lib/dom.js';
import { formatPoints, t } from '../lib/i18n.js';
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
import { centipointsOf, failedScreen } from './partner-offers.js';
import { dataTable } from '../lib/table.js';

interface Category {
  readonly categoryId: string;
  readonly title: string;
  readonly priority: number;
  readonly monthlyAllowanceCentipoints: number;
}

interface Beneficiary {
  readonly beneficiaryId: string;
  readonly categoryId: string;
  readonly community: string;
  readonly allocatedThisPeriodCentipoints: number;
}

interface Pool {
  readonly balanceCentipoints: number;
  readonly period: string;
  readonly categories: readonly Category[];
  readonly beneficiaries: readonly Beneficiary[];
}

const HOME = '/admin/pool';

const input = (name: string, extra: Record<string, string | boolean> = {}): HTMLInputElement =>
  h('input', { name, id: `pool-${name}`, required: true, autocomplete: 'off', ...extra });

function categoriesTable(categories: readonly Category[]): HTMLElement {
  if (categories.length === 0) return h('p', {}, t('pool.categories.none'));
  return dataTable(
    'pool-categories',
    t('pool.categories'),
    ['pool.category.priority', 'pool.category.title', 'pool.category.id', 'pool.category.allowance'],
    categories.map((category) =>
      h(
        'tr',
        { 'data-category-id': category.categoryId },
        h('td', {}, String(category.priority)),
        h('td', {}, category.title),
        h('td', {}, h('code', {}, category.categoryId)),
        h('td', {}, formatPoints(category.monthlyAllowanceCentipoints)),
      ),
    ),
  );
}

/** Beneficiaries in serving order: their category's priority, then category id, then their own id. */
function servingOrder(pool: Pool): Beneficiary[] {
  const rank = new Map(pool.categories.map((category, index) => [category.categoryId, index]));
  return [...pool.beneficiaries].sort(
    (a, b) =>
      (rank.get(a.categoryId) ?? Infinity) - (rank.get(b.categoryId) ?? Infinity) ||
      (a.beneficiaryId < b.beneficiaryId ? -1 : a.beneficiaryId > b.beneficiaryId ? 1 : 0),
  );
}

function pointsButton(
  session: Session,
  beneficiary: Beneficiary,
  status: ReturnType<typeof statusArea>,
): HTMLButtonElement {
  const id = beneficiary.beneficiaryId;
  const button = h(
    'button',
    { type: 'button', 'aria-label': t('pool.beneficiary.show', { id }) },
    t('pool.beneficiary.showShort'),
  );
  button.addEventListener('click', () => {
    void submitting(button, status, async () => {
      const points = await call<{ availableCentipoints: number; heldCentipoints: number }>(
        session,
        `/v1/admin/beneficiaries/${encodeURIComponent(id)}/points`,
      );
      status.show(
        'ok',
        t('pool.beneficiary.points', {
          id,
          available: formatPoints(points.availableCentipoints),
          held: formatPoints(points.heldCentipoints),
        }),
      );
    });
  });
  return button;
}

function beneficiariesTable(session: Session, pool: Pool): HTMLElement {
  if (pool.beneficiaries.length === 0) return h('p', {}, t('pool.beneficiaries.none'));
  const status = statusArea();
  const title = new Map(pool.categories.map((category) => [category.categoryId, category.title]));
  return h(
    'div',
    {},
    dataTable(
      'pool-beneficiaries',
      t('pool.beneficiaries'),
      [
        'pool.beneficiary.idShort',
        'pool.category.title',
        'pool.beneficiary.community',
        'pool.beneficiary.allocated',
        'admin.action',
      ],
      servingOrder(pool).map((beneficiary) =>
        h(
          'tr',
          { 'data-beneficiary-id': beneficiary.beneficiaryId },
          h('td', {}, h('code', {}, beneficiary.beneficiaryId)),
          h('td', {}, title.get(beneficiary.categoryId) ?? beneficiary.categoryId),
          h('td', {}, beneficiary.community),
          h('td', {}, formatPoints(beneficiary.allocatedThisPeriodCentipoints)),
          h('td', {}, pointsButton(session, beneficiary, status)),
        ),
      ),
    ),
    status.element,
  );
}

/** A form posting its values (shaped by `body`) to `path`, then showing the pool with a notice. */
function postForm(
  session: Session,
  context: ScreenContext,
  spec: {
    readonly path: string;
    readonly submit: MessageKey;
    readonly fields: readonly HTMLElement[];
    readonly body: (values: Record<string, string>) => Record<string, unknown>;
    readonly notice: (values: Record<string, string>) => string;
  },
): HTMLFormElement {
  const status = statusArea();
  let idempotencyKey = crypto.randomUUID();
  const button = h('button', { type: 'submit' }, t(spec.submit));
  const form = h('form', {}, ...spec.fields, button, status.element);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = formValues(form);
    void submitting(button, status, async () => {
      await call(session, spec.path, {
        method: 'POST',
        body: spec.body(values),
        idempotencyKey,
        retryReusesKey: true,
      });
      idempotencyKey = crypto.randomUUID();
      context.navigate(HOME, spec.notice(values));
    });
  });
  return form;
}

function categoryForm(session: Session, context: ScreenContext): HTMLFormElement {
  return postForm(session, context, {
    path: '/v1/admin/beneficiary-categories',
    submit: 'pool.category.save',
    fields: [
      field(t('pool.category.id'), input('categoryId', { pattern: '[A-Za-z0-9._:\\-]+' })),
      field(t('pool.category.title'), input('title')),
      field(
        t('pool.category.priority'),
        input('priority', { type: 'number', min: '1', max: '1000', step: '1' }),
      ),
      field(t('pool.category.allowance'), input('allowance', { inputmode: 'decimal' })),
    ],
    body: (values) => ({
      categoryId: values.categoryId,
      title: values.title,
      priority: Number(values.priority),
      monthlyAllowanceCentipoints: centipointsOf(values.allowance ?? ''),
    }),
    notice: (values) => t('pool.category.saved', { title: values.title ?? '' }),
  });
}

function beneficiaryForm(session: Session, context: ScreenContext): HTMLFormElement {
  return postForm(session, context, {
    path: '/v1/admin/beneficiaries',
    submit: 'pool.beneficiary.register',
    fields: [
      field(t('pool.beneficiary.id'), input('beneficiaryId', { pattern: 'b-[A-Za-z0-9._:\\-]+' })),
      field(t('pool.beneficiary.category'), input('categoryId', { id: 'pool-beneficiary-category' })),
      field(t('pool.beneficiary.community'), input('community', { id: 'pool-beneficiary-community' })),
      field(t('pool.beneficiary.name'), input('name')),
      field(t('pool.beneficiary.contact'), input('contact')),
    ],
    body: (values) => ({
      beneficiaryId: values.beneficiaryId,
      categoryId: values.categoryId,
      community: values.community,
      name: values.name,
      contact: values.contact,
    }),
    notice: (values) => t('pool.beneficiary.registered', { id: values.beneficiaryId ?? '' }),
  });
}

function allocateButton(session: Session, context: ScreenContext): HTMLElement {
  const status = statusArea();
  const button = h('button', { type: 'button', id: 'pool-allocate' }, t('pool.allocate.run'));
  button.addEventListener('click', () => {
    void submitting(button, status, async () => {
      const run = await call<{ period: string; allocations: { centipoints: number }[] }>(
        session,
        '/v1/admin/donation-pool/allocations',
        { method: 'POST', body: {}, idempotencyKey: crypto.randomUUID() },
      );
      const total = run.allocations.reduce((sum, allocation) => sum + allocation.centipoints, 0);
      context.navigate(
        HOME,
        run.allocations.length === 0
          ? t('pool.allocated.none')
          : t('pool.allocated', {
              period: run.period,
              count: run.allocations.length,
              total: formatPoints(total),
            }),
      );
    });
  });
  return h('div', {}, button, status.element);
}

export const adminPoolScreen: Screen = async (context) => {
  const session = requireSession(context);
  let pool: Pool;
  try {
    pool = await call<Pool>(session, '/v1/admin/donation-pool');
  } catch (error) {
    return failedScreen(t('pool.title'), error);
  }
  return h(
    'section',
    {},
    h('h2', {}, t('pool.title')),
    noticeOf(context),
    h(
      'dl',
      { class: 'figures' },
      h('dt', {}, t('pool.balance')),
      h('dd', { id: 'pool-balance' }, formatPoints(pool.balanceCentipoints)),
      h('dt', {}, t('pool.period', { period: pool.period })),
      h(
        'dd',
        { id: 'pool-allocated' },
        formatPoints(
          pool.beneficiaries.reduce(
            (sum, beneficiary) => sum + beneficiary.allocatedThisPeriodCentipoints,
            0,
          ),
        ),
      ),
    ),
    categoriesTable(pool.categories),
    beneficiariesTable(session, pool),
    h('h3', {}, t('pool.allocate')),
    allocateButton(session, context),
    h('h3', {}, t('pool.category.new')),
    categoryForm(session, context),
    h('h3', {}, t('pool.beneficiary.new')),
    beneficiaryForm(session, context),
  );
};
