/**
 * The volunteer's spend code (付款码) as a QR a partner scans, refreshed before it expires. Every
 * code is an event (`SpendCodeIssued`), so the screen refreshes a bounded number of times and then
 * waits for a tap: a phone left on the table does not write codes all day.
 */
import { call } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { formatInstant, t } from '../lib/i18n.js';
import { qrSvg } from '../lib/qr.js';
import { describeError, type Screen } from '../lib/screen.js';
import type { Session } from '../lib/session.js';
import { groupDigits } from './card-actions.js';
import { volunteerPath, volunteerSession } from './volunteer-common.js';

interface SpendCode {
  readonly spendCode: string;
  readonly qrPayload: string;
  readonly expiresAt: string;
}

/** Automatic refreshes before the screen waits for a tap: with 120-s codes, about 10 minutes. */
const AUTO_REFRESHES_MAX = 5;
/** A new code this long before the old one expires, so a partner never scans a dead one. */
const REFRESH_LEAD_MS = 15_000;
/** Never refresh faster than this, whatever lifetime the policy gives codes. */
const REFRESH_INTERVAL_MIN_MS = 5_000;

function issue(session: Session): Promise<SpendCode> {
  // A repeat issues another code (docs/api.md), so every request has its own key.
  return call<SpendCode>(session, `${volunteerPath(session)}/spend-codes`, {
    method: 'POST',
    body: {},
    idempotencyKey: crypto.randomUUID(),
  });
}

export const volunteerSpendCodeScreen: Screen = (context) => {
  const session = volunteerSession(context);
  const area = h('div', { id: 'volunteer-spend-code', 'aria-live': 'polite' });
  const again = h('button', { type: 'button', id: 'refresh-spend-code' }, t('vSpendCode.refresh'));
  let refreshes = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const show = async (): Promise<void> => {
    clearTimeout(timer);
    try {
      const code = await issue(session);
      area.replaceChildren(
        qrSvg(code.qrPayload, t('spendCode.qr')),
        h('p', { class: 'spend-code', 'data-figure': 'spend-code' }, groupDigits(code.spendCode)),
        h('p', {}, t('spendCode.expires', { time: formatInstant(code.expiresAt) })),
      );
      const wait = Math.max(
        REFRESH_INTERVAL_MIN_MS,
        Date.parse(code.expiresAt) - Date.now() - REFRESH_LEAD_MS,
      );
      if (refreshes < AUTO_REFRESHES_MAX) {
        timer = setTimeout(() => {
          // The screen was left: stop.
          if (!area.isConnected) return;
          refreshes += 1;
          void show();
        }, wait);
      } else {
        timer = setTimeout(() => {
          if (area.isConnected) area.replaceChildren(h('p', {}, t('vSpendCode.paused')));
        }, wait + REFRESH_LEAD_MS);
      }
    } catch (error) {
      area.replaceChildren(h('p', { class: 'error', role: 'alert' }, describeError(error)));
    }
  };
  again.addEventListener('click', () => {
    refreshes = 0;
    void show();
  });
  void show();
  return h(
    'section',
    { class: 'phone' },
    h('h2', {}, t('vSpendCode.title')),
    h('p', {}, t('vSpendCode.intro')),
    area,
    again,
  );
};
