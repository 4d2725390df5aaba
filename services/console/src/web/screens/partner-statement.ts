/**
 * The partner's monthly statement (`GET /v1/partners/:id/statement?period=YYYY-MM`, local months
 * in Asia/Shanghai): its holds, with capture or release for those still pending, and the month's
 * settlement totals, exportable as CSV (built in the browser from the same figures).
 */
import { call, keysUntilDone } from '../lib/api.js';
import { field, h } from '../lib/dom.js';
import { formatInstant, formatPoints, shanghaiDateTime, t, todayInShanghai } from '../lib/i18n.js';
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
import { failedScreen, offersOf, type Offer } from './partner-offers.js';
import { dataTable } from '../lib/table.js';

interface Hold {
  readonly volunteerId: string;
  readonly holdId: string;
  readonly offerId: string | null;
  readonly centipoints: number;
  readonly heldAt: string;
  readonly status: string;
  /** 低偿: cash co-payment in fen recorded with the hold; absent from older servers (0). */
  readonly cashCopayFen?: number;
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
  /** Cash co-payments (低偿) collected with the month's captures, in fen. */
  readonly capturedCashFen?: number;
}

/** Fen as yuan with two decimals, as a spreadsheet and a reader expect (`5.00`). */
const yuan = (fen: number): string => (fen / 100).toFixed(2);

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

/**
 * The statement as CSV: one line per hold, then the month's totals; points as decimal numbers,
 * cash co-payments (低偿) in yuan in the last column (only the captured total collects cash).
 */
export function statementCsv(
  partnerId: string,
  period: string,
  holds: readonly Hold[],
  settlement: Settlement | undefined,
): string {
  const lines = [
    ['partner', 'period', 'holdId', 'offerId', 'heldAt', 'status', 'points', 'cashYuan'],
    ...holds.map((hold) => [
      partnerId,
      period,
      hold.holdId,
      hold.offerId ?? '',
      // Asia/Shanghai like every time the console shows: in UTC a hold made early on the 1st
      // read as the month before, on the month's own statement.
      shanghaiDateTime(hold.heldAt),
      hold.status,
      hold.centipoints / 100,
      yuan(hold.cashCopayFen ?? 0),
    ]),
    ...TOTALS.map(([, count, centipoints]) => [
      partnerId,
      period,
      `total:${String(count).replace('Count', '')}`,
      '',
      '',
      Number(settlement?.[count] ?? 0),
      Number(settlement?.[centipoints] ?? 0) / 100,
      count === 'capturedCount' ? yuan(settlement?.capturedCashFen ?? 0) : '',
    ]),
  ];
  return `${lines.map((line) => line.map(csvField).join(',')).join('\r\n')}\r\n`;
}

type Status = ReturnType<typeof statusArea>;

/** `YYYY-MM` with a month that exists: what the statement route and the API take. */
const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * The month to show. A browser without a month picker (Firefox) shows a plain text box, where
 * `2026年11月` or `2026/11` may be typed: that is said here, instead of a route nobody serves
 * sending the partner to their home screen without a word.
 */
function periodForm(context: ScreenContext, period: string): HTMLFormElement {
  const month = h('input', {
    type: 'month',
    id: 'statement-period',
    name: 'period',
    value: period,
    required: true,
  });
  const status = statusArea();
  const form = h(
    'form',
    { class: 'inline-form' },
    field(t('statement.period'), month),
    h('button', { type: 'submit' }, t('statement.show')),
    status.element,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const typed = month.value.normalize('NFKC').trim();
    if (!PERIOD.test(typed)) {
      status.show('error', t('statement.periodInvalid'));
      month.focus();
      return;
    }
    context.navigate(`/partner/statement/${typed}`);
  });
  return form;
}

/** The capture and release buttons of a pending hold. */
function holdActions(
  screen: { session: Session; context: ScreenContext; status: Status; period: string },
  hold: Hold,
) {
  const { session, context, status, period } = screen;
  if (hold.status !== 'pending') return [];
  return (['capture', 'release'] as const).map((action) => {
    // One key per action until it succeeds (see keysUntilDone).
    const keys = keysUntilDone();
    const button = h(
      'button',
      { type: 'button', class: action === 'release' ? 'secondary' : '' },
      t(`statement.${action}`),
    );
    button.addEventListener('click', () => {
      void submitting(button, status, async () => {
        const partner = encodeURIComponent(session.scopeId ?? '');
        const done = await call<{ position: string }>(
          session,
          `/v1/partners/${partner}/holds/${encodeURIComponent(hold.holdId)}/${action}`,
          {
            method: 'POST',
            body: { volunteerId: hold.volunteerId },
            idempotencyKey: keys.keyFor(action),
            retryReusesKey: true,
          },
        );
        keys.done(action);
        const notice = action === 'capture' ? 'statement.didCapture' : 'statement.didRelease';
        context.navigate(
          `/partner/statement/${period}/${done.position}`,
          t(notice, { points: formatPoints(hold.centipoints) }),
        );
      });
    });
    return button;
  });
}

const HOLD_COLUMNS = [
  'statement.heldAt',
  'statement.offer',
  'statement.points',
  'statement.status',
  'statement.actions',
] as const;

function holdsTable(
  holds: readonly Hold[],
  titles: ReadonlyMap<string, string>,
  actions: (hold: Hold) => HTMLElement[],
): HTMLElement {
  if (holds.length === 0) return h('p', {}, t('statement.noHolds'));
  return dataTable(
    'holds',
    t('statement.holds'),
    HOLD_COLUMNS,
    holds.map((hold) =>
      h(
        'tr',
        {},
        h('td', {}, formatInstant(hold.heldAt)),
        // The offer as the partner named it; its id only for an offer no longer listed.
        h('td', {}, hold.offerId === null ? '' : (titles.get(hold.offerId) ?? hold.offerId)),
        h(
          'td',
          {},
          (hold.cashCopayFen ?? 0) === 0
            ? formatPoints(hold.centipoints)
            : `${formatPoints(hold.centipoints)} + ¥${yuan(hold.cashCopayFen ?? 0)}`,
        ),
        h('td', {}, t(`statement.status.${hold.status}` as MessageKey)),
        h('td', {}, ...actions(hold)),
      ),
    ),
  );
}

function totalsTable(period: string, settlement: Settlement | undefined): HTMLElement {
  // 数额, not 积分: the last row is cash (¥), which a phone's layout labelled 积分.
  const columns = ['statement.kind', 'statement.count', 'statement.amount'] as const;
  return dataTable('totals', t('statement.totals', { period }), columns, [
    ...TOTALS.map(([label, count, centipoints]) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, t(label)),
        h('td', { 'data-figure': count }, Number(settlement?.[count] ?? 0)),
        h('td', { 'data-figure': centipoints }, formatPoints(Number(settlement?.[centipoints] ?? 0))),
      ),
    ),
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, t('statement.cash')),
      h('td', {}, ''),
      h('td', { 'data-figure': 'capturedCashFen' }, `¥${yuan(settlement?.capturedCashFen ?? 0)}`),
    ),
  ]);
}

/**
 * The month's settlement totals (every page repeats them: the first page's are kept) and every
 * hold placed in it, page after page (newest first).
 */
async function monthStatement(
  session: Session,
  partnerId: string,
  period: string,
  minPosition: string,
): Promise<{ holds: Hold[]; settlements: Settlement[] }> {
  const pages = await allPages(
    (path) => call<Paged & { holds: Hold[]; settlements: Settlement[] }>(session, path),
    `/v1/partners/${encodeURIComponent(partnerId)}/statement?period=${period}${minPosition}`,
  );
  return { holds: pages.flatMap((page) => page.holds), settlements: pages[0]?.settlements ?? [] };
}

export const partnerStatementScreen: Screen = async (context) => {
  const session = requireSession(context);
  const partnerId = session.scopeId ?? '';
  const asked = context.params[0] ?? '';
  const period = PERIOD.test(asked) ? asked : todayInShanghai().slice(0, 7);
  // After a capture or release: read at least up to that write (read-your-writes, docs/api.md).
  const minPosition = /^\d+$/.test(context.params[1] ?? '') ? `&minPosition=${context.params[1]}` : '';
  let statement: { holds: Hold[]; settlements: Settlement[] };
  let offers: readonly Offer[];
  try {
    [statement, offers] = await Promise.all([
      monthStatement(session, partnerId, period, minPosition),
      offersOf(session),
    ]);
  } catch (error) {
    return failedScreen(t('statement.title'), error);
  }
  const settlement = statement.settlements.find((each) => each.period === period);
  const status = statusArea();
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
    periodForm(context, period),
    status.element,
    totalsTable(period, settlement),
    h('p', {}, download),
    holdsTable(statement.holds, new Map(offers.map((offer) => [offer.offerId, offer.title])), (hold) =>
      holdActions({ session, context, status, period }, hold),
    ),
  );
};
