/**
 * What a desk does on the volunteer card for a volunteer who is present: file a star application
 * (the API awards the highest eligible level, or refuses with NOT_ELIGIBLE_FOR_STAR), and
 * generate a one-time spend code, shown with its QR (`qrPayload`) for the partner to scan or type.
 * The code is shown once and is not kept anywhere by the console.
 */
import { call } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { formatInstant, t } from '../lib/i18n.js';
import { qrSvg } from '../lib/qr.js';
import { resultArea, statusArea, submitting } from '../lib/screen.js';
import type { Session } from '../lib/session.js';

interface SpendCode {
  readonly spendCode: string;
  readonly qrPayload: string;
  readonly expiresAt: string;
}

/** 16 digits in groups of four, as people read them aloud. */
export function groupDigits(code: string): string {
  return code.replace(/(\d{4})(?=\d)/g, '$1 ');
}

export function cardActions(
  session: Session,
  volunteerId: string,
  reload: (notice: string) => void,
): HTMLElement {
  const path = `/v1/volunteers/${encodeURIComponent(volunteerId)}`;
  const starStatus = statusArea();
  const starButton = h('button', { type: 'button', id: 'file-star' }, t('star.file'));
  let starKey = crypto.randomUUID();
  starButton.addEventListener('click', () => {
    void submitting(starButton, starStatus, async () => {
      const awarded = await call<{ level: number }>(session, `${path}/star-applications`, {
        method: 'POST',
        body: {},
        idempotencyKey: starKey,
        retryReusesKey: true,
      });
      starKey = crypto.randomUUID();
      reload(t('star.awarded', { level: awarded.level }));
    });
  });

  const codeStatus = statusArea();
  const codeArea = resultArea({ id: 'spend-code', 'aria-live': 'polite' }, { shownOnce: true });
  const codeButton = h('button', { type: 'button', id: 'generate-spend-code' }, t('spendCode.generate'));
  codeButton.addEventListener('click', () => {
    void submitting(codeButton, codeStatus, async () => {
      // A repeat issues another code (docs/api.md), so every press is a new request.
      const issued = await call<SpendCode>(session, `${path}/spend-codes`, {
        method: 'POST',
        body: {},
        idempotencyKey: crypto.randomUUID(),
      });
      codeArea.replaceChildren(
        h('p', {}, t('spendCode.shown')),
        h('p', { class: 'spend-code', 'data-figure': 'spend-code' }, groupDigits(issued.spendCode)),
        qrSvg(issued.qrPayload, t('spendCode.qr')),
        h('p', {}, t('spendCode.expires', { time: formatInstant(issued.expiresAt) })),
      );
    });
  });

  return h(
    'div',
    { class: 'actions' },
    h('h3', {}, t('card.actions')),
    h('div', { class: 'button-row' }, starButton, codeButton),
    starStatus.element,
    codeStatus.element,
    codeArea,
  );
}
