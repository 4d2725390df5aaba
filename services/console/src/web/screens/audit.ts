/**
 * The auditor's screen: run verify (the same checker as `pnpm ledger verify`) and show its
 * findings, beside every account balance and their sum, which is zero in a sound ledger.
 */
import { call } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { formatPoints, t } from '../lib/i18n.js';
import { requireSession, resultArea, statusArea, submitting, type Screen } from '../lib/screen.js';

/**
 * How long the auditor's verify may run (ms): 10 minutes, our choice, well past the 15-s default
 * of other requests, because it rechecks every event's hash and schema in one request.
 */
const VERIFY_TIMEOUT_MS = 10 * 60_000;

interface VerifyReport {
  readonly ok: boolean;
  readonly eventsChecked: number;
  readonly streamsChecked: number;
  readonly lastPosition: string;
  readonly failures: readonly { kind: string; streamName: string; revision: string; reason: string }[];
  readonly failureCount: number;
}

interface Balances {
  readonly accounts: readonly { account: string; balanceCentipoints: number }[];
  readonly totalCentipoints: number;
}

function headerRow(...labels: string[]): HTMLElement {
  return h('thead', {}, h('tr', {}, ...labels.map((label) => h('th', { scope: 'col' }, label))));
}

function verifyResult(report: VerifyReport): HTMLElement {
  const findings =
    report.failures.length === 0
      ? null
      : h(
          'table',
          {},
          h('caption', {}, t('audit.failures')),
          headerRow(
            t('audit.failure.kind'),
            t('audit.failure.stream'),
            t('audit.failure.revision'),
            t('audit.failure.reason'),
          ),
          h(
            'tbody',
            {},
            ...report.failures.map((failure) =>
              h(
                'tr',
                {},
                h('td', {}, failure.kind),
                h('td', {}, failure.streamName),
                h('td', {}, failure.revision),
                h('td', {}, failure.reason),
              ),
            ),
          ),
        );
  return h(
    'div',
    { id: 'verify-result' },
    h(
      'p',
      { class: report.ok ? 'ok' : 'error', role: 'status' },
      report.ok ? t('audit.ok') : t('audit.failed', { count: report.failureCount }),
    ),
    h(
      'dl',
      { class: 'figures' },
      h('dt', {}, t('audit.events')),
      h('dd', { 'data-figure': 'events' }, report.eventsChecked),
      h('dt', {}, t('audit.streams')),
      h('dd', { 'data-figure': 'streams' }, report.streamsChecked),
      h('dt', {}, t('audit.lastPosition')),
      h('dd', {}, report.lastPosition),
    ),
    findings,
  );
}

function balancesTable(balances: Balances): HTMLElement {
  return h(
    'table',
    { id: 'balances' },
    h('caption', {}, t('audit.balances')),
    headerRow(t('audit.account'), t('audit.balance')),
    h(
      'tbody',
      {},
      ...balances.accounts.map((row) =>
        h(
          'tr',
          {},
          h('td', {}, row.account),
          h('td', { class: 'number' }, formatPoints(row.balanceCentipoints)),
        ),
      ),
    ),
    h(
      'tfoot',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, t('audit.total')),
        h('td', { class: 'number', 'data-figure': 'total' }, formatPoints(balances.totalCentipoints)),
      ),
    ),
  );
}

export const auditScreen: Screen = (context) => {
  const session = requireSession(context);
  const status = statusArea();
  const output = resultArea();
  const button = h('button', { type: 'button', id: 'run-verify' }, t('audit.run'));
  button.addEventListener('click', () => {
    void submitting(button, status, async () => {
      const [report, balances] = await Promise.all([
        // A full scan, O(events) (docs/api.md, Auditors): minutes on a large ledger, not seconds.
        call<VerifyReport>(session, '/v1/audit/verify', { timeoutMs: VERIFY_TIMEOUT_MS }),
        call<Balances>(session, '/v1/audit/balances'),
      ]);
      output.replaceChildren(
        verifyResult(report),
        balancesTable(balances),
        h(
          'p',
          { class: balances.totalCentipoints === 0 ? 'ok' : 'error' },
          balances.totalCentipoints === 0 ? t('audit.balanced') : t('audit.unbalanced'),
        ),
      );
    });
  });
  return h(
    'section',
    {},
    h('h2', {}, t('audit.title')),
    h('p', {}, t('audit.intro')),
    button,
    status.element,
    output,
  );
};
