/**
 * Points-policy versions (`/v1/admin/points-policy`): every version with its effective date,
 * terms and status, and publishing a new one, effective from a future local date (Asia/Shanghai
 * midnight). A version not yet in effect can be withdrawn (撤回) with a reason: a typo then no
 * longer applies or blocks later versions, and stays listed as withdrawn, by whom, when and why.
 * Earlier awards never change: the policy is versioned by events, so replay reproduces them.
 */
import { ApiError, call } from '../lib/api.js';
import { field, formValues, h } from '../lib/dom.js';
import { formatInstant, formatPoints, shanghaiInstant, t } from '../lib/i18n.js';
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

interface Terms {
  readonly ratePerHourCentipoints: number;
  readonly qualityMultiplierPercent: Record<string, number>;
  readonly balanceCapCentipoints: number;
  readonly dailyEarningCapCentipoints: number | null;
  readonly minStarToRedeem: number;
  readonly expiryDays: number | null;
}

interface Withdrawal {
  readonly withdrawnAt: string;
  /** The id of the administrator's API key. */
  readonly withdrawnBy: string;
  readonly reason: string;
}

interface Version {
  readonly version: number;
  readonly effectiveFrom: string | null;
  readonly terms: Terms;
  readonly withdrawal: Withdrawal | null;
}

/**
 * Whether a version has yet to take effect, by the ledger's clock when it listed the versions
 * (`asOf`), not this browser's, which may be wrong: only those are offered for withdrawal. Should
 * one take effect between the list and the click, the ledger refuses, and the screen says so.
 */
function scheduled(version: Version, asOfMs: number): boolean {
  return version.effectiveFrom !== null && Date.parse(version.effectiveFrom) > asOfMs;
}

/** The status cell: withdrawn (who, when, why), scheduled, or in effect. */
function statusText(version: Version, asOfMs: number, keyLabels: ReadonlyMap<string, string>): string {
  const { withdrawal } = version;
  if (withdrawal !== null) {
    return t('admin.policy.statusWithdrawn', {
      at: formatInstant(withdrawal.withdrawnAt),
      by: keyLabels.get(withdrawal.withdrawnBy) ?? withdrawal.withdrawnBy,
      reason: withdrawal.reason,
    });
  }
  return scheduled(version, asOfMs) ? t('admin.policy.statusScheduled') : t('admin.policy.statusInEffect');
}

/** The reason field and a 撤回 button per version not yet in effect, as the API-key list revokes. */
function withdrawControls(session: Session, context: ScreenContext) {
  const status = statusArea();
  const reason = h('input', { id: 'policy-withdraw-reason', autocomplete: 'off' });
  const button = (version: Version): HTMLButtonElement => {
    // One key per version, reused if the answer is lost: a retry cannot withdraw twice.
    const idempotencyKey = crypto.randomUUID();
    const withdraw = h(
      'button',
      { type: 'button', 'aria-label': t('admin.policy.withdrawNamed', { version: version.version }) },
      t('admin.policy.withdraw'),
    );
    withdraw.addEventListener('click', () => {
      if (reason.value.trim() === '') {
        status.show('error', t('admin.reasonRequired'));
        reason.focus();
        return;
      }
      void submitting(withdraw, status, async () => {
        await call(session, `/v1/admin/points-policy/${version.version}/withdraw`, {
          method: 'POST',
          body: { reason: reason.value.trim() },
          idempotencyKey,
          retryReusesKey: true,
        });
        context.navigate('/admin/policy', t('admin.policy.withdrawn', { version: version.version }));
      });
    });
    return withdraw;
  };
  return { field: field(t('admin.policy.withdrawReason'), reason), status: status.element, button };
}

function versionsTable(
  versions: readonly Version[],
  asOfMs: number,
  keyLabels: ReadonlyMap<string, string>,
  withdrawButton: (version: Version) => HTMLButtonElement,
): HTMLElement {
  const columns = [
    'admin.policy.version',
    'admin.policy.effectiveFrom',
    'admin.policy.rate',
    'admin.policy.balanceCap',
    'admin.policy.dailyCap',
    'admin.policy.minStar',
    'admin.policy.expiryDays',
    'admin.status',
    'admin.action',
  ] as const;
  return dataTable(
    'policy-versions',
    t('admin.policy.list'),
    columns,
    versions.map((version) =>
      h(
        'tr',
        {},
        h('td', {}, version.version),
        h(
          'td',
          {},
          version.effectiveFrom === null ? t('admin.policy.initial') : formatInstant(version.effectiveFrom),
        ),
        h('td', { class: 'number' }, formatPoints(version.terms.ratePerHourCentipoints)),
        h('td', { class: 'number' }, formatPoints(version.terms.balanceCapCentipoints)),
        h(
          'td',
          { class: 'number' },
          version.terms.dailyEarningCapCentipoints === null
            ? t('admin.policy.none')
            : formatPoints(version.terms.dailyEarningCapCentipoints),
        ),
        h('td', { class: 'number' }, version.terms.minStarToRedeem),
        h('td', { class: 'number' }, version.terms.expiryDays ?? t('admin.policy.none')),
        h('td', {}, statusText(version, asOfMs, keyLabels)),
        h('td', {}, version.withdrawal === null && scheduled(version, asOfMs) ? withdrawButton(version) : ''),
      ),
    ),
  );
}

/** Points typed (blank: none) as centipoints, or null. */
function optionalCentipoints(value: string): number | null {
  return value.trim() === '' ? null : centipointsOf(value);
}

/**
 * A term typed but not a number is refused here, naming its field: sent, NaN became JSON null,
 * which the API reads as "none", so "2分" or "365天" published no daily cap or no expiry.
 */
function refuseUnreadable(terms: Terms): void {
  const unreadable = Object.entries(terms)
    .filter(([, value]) => typeof value === 'number' && Number.isNaN(value))
    .map(([term]) => `body.terms.${term}`);
  if (unreadable.length > 0) throw new ApiError('VALIDATION_FAILED', 400, unreadable);
}

/** Days as typed (full-width digits too), null when left empty, NaN when not a whole number. */
function optionalWholeNumber(value: string): number | null {
  const typed = value.normalize('NFKC').trim();
  if (typed === '') return null;
  return /^\d+$/.test(typed) ? Number(typed) : Number.NaN;
}

/** Terms a policy may leave empty: no daily cap, points that never expire. */
const OPTIONAL_TERMS: ReadonlySet<string> = new Set(['dailyEarningCapCentipoints', 'expiryDays']);

/**
 * An amount of the policy's terms. `term` is what the API names when it refuses the value
 * (`body.terms.<term>`), declared as the input's data-field so the error names it by its label.
 */
function termInput(name: string, id: string, value: string, term: string): HTMLInputElement {
  return h('input', {
    name,
    id,
    value,
    required: !OPTIONAL_TERMS.has(term),
    autocomplete: 'off',
    inputmode: 'decimal',
    'data-field': term,
  });
}

/** Star levels are 0 to 5: a higher minimum would let nobody redeem from that date on. */
function minStarInput(value: number): HTMLInputElement {
  return h('input', {
    name: 'minStar',
    id: 'policy-min-star',
    value: String(value),
    required: true,
    type: 'number',
    min: 0,
    max: 5,
    step: 1,
    'data-field': 'minStarToRedeem',
  });
}

function publishForm(session: Session, context: ScreenContext, latest: Terms): HTMLFormElement {
  const status = statusArea();
  let idempotencyKey = crypto.randomUUID();
  const points = (centipoints: number | null): string =>
    centipoints === null ? '' : String(centipoints / 100);
  const button = h('button', { type: 'submit' }, t('admin.policy.publish'));
  const form = h(
    'form',
    {},
    field(
      t('admin.policy.effectiveDate'),
      h('input', { name: 'effectiveDate', id: 'policy-date', type: 'date', required: true }),
    ),
    field(
      t('admin.policy.rate'),
      termInput('rate', 'policy-rate', points(latest.ratePerHourCentipoints), 'ratePerHourCentipoints'),
    ),
    field(
      t('admin.policy.balanceCap'),
      termInput('balanceCap', 'policy-cap', points(latest.balanceCapCentipoints), 'balanceCapCentipoints'),
    ),
    field(
      t('admin.policy.dailyCap'),
      termInput(
        'dailyCap',
        'policy-daily',
        points(latest.dailyEarningCapCentipoints),
        'dailyEarningCapCentipoints',
      ),
    ),
    field(t('admin.policy.minStar'), minStarInput(latest.minStarToRedeem)),
    field(
      t('admin.policy.expiryDays'),
      termInput(
        'expiryDays',
        'policy-expiry',
        latest.expiryDays === null ? '' : String(latest.expiryDays),
        'expiryDays',
      ),
    ),
    h('p', { class: 'hint' }, t('admin.policy.hint')),
    button,
    status.element,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = formValues(form);
    const terms: Terms = {
      ratePerHourCentipoints: centipointsOf(values.rate ?? ''),
      // The quality multipliers are kept from the latest version; the form changes the amounts.
      qualityMultiplierPercent: latest.qualityMultiplierPercent,
      balanceCapCentipoints: centipointsOf(values.balanceCap ?? ''),
      dailyEarningCapCentipoints: optionalCentipoints(values.dailyCap ?? ''),
      minStarToRedeem: Number(values.minStar),
      expiryDays: optionalWholeNumber(values.expiryDays ?? ''),
    };
    void submitting(button, status, async () => {
      refuseUnreadable(terms);
      const published = await call<{ version: number }>(session, '/v1/admin/points-policy', {
        method: 'POST',
        body: { effectiveFrom: shanghaiInstant(values.effectiveDate ?? '', '00:00'), terms },
        idempotencyKey,
        retryReusesKey: true,
      });
      idempotencyKey = crypto.randomUUID();
      context.navigate('/admin/policy', t('admin.policy.published', { version: published.version }));
    });
  });
  return form;
}

/** Key id → label, to name who withdrew a version; without the list, ids are shown as they are. */
async function keyLabelsOf(session: Session): Promise<ReadonlyMap<string, string>> {
  try {
    const { keys } = await call<{ keys: { keyId: string; label: string }[] }>(session, '/v1/admin/api-keys');
    return new Map(keys.map((key) => [key.keyId, key.label]));
  } catch {
    return new Map();
  }
}

export const adminPolicyScreen: Screen = async (context) => {
  const session = requireSession(context);
  let listed: { readonly asOf: string; readonly versions: readonly Version[] };
  let keyLabels: ReadonlyMap<string, string>;
  try {
    [listed, keyLabels] = await Promise.all([
      call<{ asOf: string; versions: Version[] }>(session, '/v1/admin/points-policy'),
      keyLabelsOf(session),
    ]);
  } catch (error) {
    return failedScreen(t('admin.policy.title'), error);
  }
  const { versions } = listed;
  // The form starts from the latest version that still stands: a withdrawn typo is not carried over.
  const latest = versions.filter((version) => version.withdrawal === null).at(-1);
  const withdraw = withdrawControls(session, context);
  return h(
    'section',
    {},
    h('h2', {}, t('admin.policy.title')),
    noticeOf(context),
    withdraw.field,
    withdraw.status,
    versionsTable(versions, Date.parse(listed.asOf), keyLabels, withdraw.button),
    h('h3', {}, t('admin.policy.new')),
    latest === undefined ? null : publishForm(session, context, latest.terms),
  );
};
