/**
 * Partner settlements per month, for the auditor reconciling what the city pays each partner:
 * the partners (`GET /v1/admin/partners`), and for the one chosen its settlement totals per local
 * month (`GET /v1/partners/:id/statement`): held, captured (what is settled), released, expired.
 */
import { call } from '../lib/api.js';
import { barChart } from '../lib/chart.js';
import { field, h } from '../lib/dom.js';
import { formatPoints, t } from '../lib/i18n.js';
import { allPages, type Paged } from '../lib/pages.js';
import { requireSession, resultArea, statusArea, submitting, type Screen } from '../lib/screen.js';
import type { Session } from '../lib/session.js';
import { failedScreen } from './partner-offers.js';
import { dataTable } from '../lib/table.js';

interface Settlement {
  readonly period: string;
  readonly heldCount: number;
  readonly heldCentipoints: number;
  readonly capturedCount: number;
  readonly capturedCentipoints: number;
  readonly releasedCentipoints: number;
  readonly expiredCentipoints: number;
}

function settlementsTable(settlements: readonly Settlement[]): HTMLElement {
  if (settlements.length === 0) return h('p', {}, t('audit.settlements.none'));
  const columns = [
    'audit.settlements.period',
    'audit.settlements.held',
    'audit.settlements.captured',
    'audit.settlements.released',
    'audit.settlements.expired',
  ] as const;
  const ordered = [...settlements].sort((a, b) => (a.period < b.period ? -1 : 1));
  return h(
    'div',
    {},
    dataTable(
      'settlements',
      t('audit.settlements.caption'),
      columns,
      ordered.map((row) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, row.period),
          h('td', { class: 'number' }, formatPoints(row.heldCentipoints)),
          h('td', { class: 'number' }, formatPoints(row.capturedCentipoints)),
          h('td', { class: 'number' }, formatPoints(row.releasedCentipoints)),
          h('td', { class: 'number' }, formatPoints(row.expiredCentipoints)),
        ),
      ),
    ),
    barChart({
      id: 'chart-settlements',
      title: t('audit.settlements.chart'),
      description: t('audit.settlements.chartDescription'),
      categoryLabel: t('audit.settlements.period'),
      categories: ordered.map((row) => row.period),
      series: [
        { name: t('audit.settlements.captured'), values: ordered.map((row) => row.capturedCentipoints) },
      ],
      format: (centipoints) => String(centipoints / 100),
    }),
  );
}

async function showStatement(session: Session, partnerId: string, output: HTMLElement): Promise<void> {
  const statement = await call<{ settlements: Settlement[] }>(
    session,
    `/v1/partners/${encodeURIComponent(partnerId)}/statement`,
  );
  output.replaceChildren(settlementsTable(statement.settlements));
}

export const auditSettlementsScreen: Screen = async (context) => {
  const session = requireSession(context);
  let partners: readonly { partnerId: string; name: string }[];
  try {
    const pages = await allPages(
      (path) => call<Paged & { partners: { partnerId: string; name: string }[] }>(session, path),
      '/v1/admin/partners',
    );
    partners = pages.flatMap((page) => page.partners);
  } catch (error) {
    return failedScreen(t('audit.settlements.title'), error);
  }
  const status = statusArea();
  const output = resultArea();
  const partner = h(
    'select',
    { name: 'partner', id: 'settlements-partner' },
    ...partners.map((row) => h('option', { value: row.partnerId }, `${row.name}（${row.partnerId}）`)),
  );
  const button = h('button', { type: 'submit' }, t('audit.settlements.show'));
  const form = h('form', {}, field(t('audit.settlements.partner'), partner), button, status.element);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submitting(button, status, () => showStatement(session, partner.value, output));
  });
  return h(
    'section',
    {},
    h('h2', {}, t('audit.settlements.title')),
    h('p', {}, t('audit.settlements.intro')),
    partners.length === 0 ? h('p', {}, t('admin.partner.none')) : form,
    output,
  );
};
