/**
 * The partner's monthly statement (`GET /v1/partners/:id/statement?period=YYYY-MM`, local months
 * in Asia/Shanghai): its holds, with capture or release for those still pending, and the month's
 * settlement totals, exportable as CSV (built in the browser from the same figures).
 */
import { call } from '../lib/api.js';
import { field, h } from '../lib/dom.js';
import { formatInstant, formatPoints, t, todayInShanghai } from '../lib/i18n.js';
import type { MessageKey } from '../messages/zh-cn.js';
import {
  describeError,
  noticeOf,
  requireSession,
  statusArea,
  submitting,
  type Screen,
} from '../lib/screen.js';

interface Hold {
  readonly volunteerId: string;
  readonly holdId: string;
  readonly offerId: string | null;
  readonly centipoints: number;
  readonly heldAt: string;
  readonly status: string;
}

interface Settlement {
  readonly period: string;
  readonly heldCount: number;
  readonly heldCentipoints: number;
  readonly capturedCount: number;
  readonly capturedCentipoints: number;
  readonly releasedCount: number;
  readonly releasedCentipoints: number;
  readonly expiredCount: number;
  readonly expiredCentipoints: number;
}

const TOTALS: readonly [MessageKey, keyof Settlement, keyof Settlement][] = [
  ['statement.held', 'heldCount', 'heldCentipoints'],
  ['statement.captured', 'capturedCount', 'capturedCentipoints'],
  ['statement.released', 'releasedCount', 'releasedCentipoints'],
  ['statement.expired', 'expiredCount', 'expiredCentipoints'],
];

/** A CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The statement as CSV: one line per hold, then the month's totals; points as decimal numbers. */
export function statementCsv(
  partnerId: string,
  period: string,
  holds: readonly Hold[],
  settlement: Settlement | undefined,
): string {
  const lines = [
    ['partner', 'period', 'holdId', 'offerId', 'heldAt', 'status', 'points'],
    ...holds.map((hold) => [
      partnerId,
      period,
      hold.holdId,
      hold.offerId ?? '',
      hold.heldAt,
      hold.status,
      hold.centipoints / 100,
    ]),
    ...TOTALS.map(([, count, centipoints]) => [
      partnerId,
      period,
      `total:${String(count).replace('Count', '')}`,
      '',
      '',
      Number(settlement?.[count] ?? 0),
      Number(settlement?.[centipoints] ?? 0) / 100,
    ]),
  ];
  return `${lines.map((line) => line.map(csvField).join(',')).join('\r\n')}\r\n`;
}

export const partnerStatementScreen: Screen = async (context) => {
  const session = requireSession(context);
  const partnerId = session.scopeId ?? '';
  const period = /^\d{4}-\d{2}$/.test(context.params[0] ?? '')
    ? (context.params[0] as string)
    : todayInShanghai().slice(0, 7);
  let statement: { holds: Hold[]; settlements: Settlement[] };
  try {
    statement = await call(
      session,
      `/v1/partners/${encodeURIComponent(partnerId)}/statement?period=${period}`,
    );
  } catch (error) {
    return h(
      'section',
      {},
      h('h2', {}, t('statement.title')),
      h('p', { class: 'error', role: 'alert' }, describeError(error)),
    );
  }
  const settlement = statement.settlements.find((each) => each.period === period);
  const status = statusArea();
  const month = h('input', { type: 'month', id: 'statement-period', name: 'period', value: period });
  const show = h('button', { type: 'submit' }, t('statement.show'));
  const periodForm = h('form', { class: 'inline-form' }, field(t('statement.period'), month), show);
  periodForm.addEventListener('submit', (event) => {
    event.preventDefault();
    context.navigate(`/partner/statement/${month.value}`);
  });

  function resolve(hold: Hold, action: 'capture' | 'release', button: HTMLButtonElement): void {
    void submitting(button, status, async () => {
      await call(
        session,
        `/v1/partners/${encodeURIComponent(partnerId)}/holds/${encodeURIComponent(hold.holdId)}/${action}`,
        {
          method: 'POST',
          body: { volunteerId: hold.volunteerId },
          idempotencyKey: crypto.randomUUID(),
        },
      );
      context.navigate(
        `/partner/statement/${period}`,
        t(action === 'capture' ? 'statement.didCapture' : 'statement.didRelease', {
          points: formatPoints(hold.centipoints),
        }),
      );
    });
  }

  const holdRow = (hold: Hold): HTMLElement => {
    const actions: HTMLElement[] = [];
    if (hold.status === 'pending') {
      for (const action of ['capture', 'release'] as const) {
        const button = h(
          'button',
          { type: 'button', class: action === 'release' ? 'secondary' : '' },
          t(`statement.${action}`),
        );
        button.addEventListener('click', () => resolve(hold, action, button));
        actions.push(button);
      }
    }
    return h(
      'tr',
      {},
      h('td', {}, formatInstant(hold.heldAt)),
      h('td', {}, hold.offerId ?? ''),
      h('td', {}, formatPoints(hold.centipoints)),
      h('td', {}, t(`statement.status.${hold.status}` as MessageKey)),
      h('td', {}, ...actions),
    );
  };
  const holds =
    statement.holds.length === 0
      ? h('p', {}, t('statement.noHolds'))
      : h(
          'table',
          { id: 'holds' },
          h('caption', {}, t('statement.holds')),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...(
                [
                  'statement.heldAt',
                  'statement.offer',
                  'statement.points',
                  'statement.status',
                  'statement.actions',
                ] as const
              ).map((key) => h('th', { scope: 'col' }, t(key))),
            ),
          ),
          h('tbody', {}, ...statement.holds.map(holdRow)),
        );
  const totals = h(
    'table',
    { id: 'totals' },
    h('caption', {}, t('statement.totals', { period })),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, t('statement.kind')),
        h('th', { scope: 'col' }, t('statement.count')),
        h('th', { scope: 'col' }, t('statement.points')),
      ),
    ),
    h(
      'tbody',
      {},
      ...TOTALS.map(([label, count, centipoints]) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, t(label)),
          h('td', { 'data-figure': `${count}` }, Number(settlement?.[count] ?? 0)),
          h('td', { 'data-figure': `${centipoints}` }, formatPoints(Number(settlement?.[centipoints] ?? 0))),
        ),
      ),
    ),
  );
  const csv = statementCsv(partnerId, period, statement.holds, settlement);
  const download = h(
    'a',
    {
      class: 'button',
      id: 'statement-csv',
      download: `statement-${partnerId}-${period}.csv`,
      href: `data:text/csv;charset=utf-8,${encodeURIComponent(`\uFEFF${csv}`)}`,
    },
    t('statement.csv'),
  );
  return h(
    'section',
    {},
    h('h2', {}, t('statement.title')),
    noticeOf(context),
    periodForm,
    status.element,
    totals,
    h('p', {}, download),
    holds,
  );
};
