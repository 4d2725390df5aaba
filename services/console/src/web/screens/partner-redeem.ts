/**
 * A partner redeems with the volunteer's spend code: typed (spaces allowed) or scanned (a scanner
 * types the QR payload `timebank-spend:<digits>`, accepted as well). "Redeem now" holds and
 * captures in one step; "Hold" keeps the points until the partner captures or releases them on
 * the statement screen. The volunteer's identity is never shown to the partner.
 */
import { call } from '../lib/api.js';
import { field, formValues, h } from '../lib/dom.js';
import { formatPoints, t } from '../lib/i18n.js';
import { noticeOf, requireSession, statusArea, submitting, type Screen } from '../lib/screen.js';
import type { Session } from '../lib/session.js';
import { centipointsOf, failedScreen, offersOf, type Offer } from './partner-offers.js';

/**
 * The 16 digits of a typed or scanned code; full-width digits from a Chinese input method are
 * folded to ASCII (NFKC), as every other number the console takes. The QR payload's prefix is
 * taken in any case: a scanner that types with caps lock on sends `TIMEBANK-SPEND:`.
 */
export function spendCodeDigits(typed: string): string {
  return typed
    .normalize('NFKC')
    .trim()
    .replace(/^timebank-spend:/i, '')
    .replace(/[\s-]/g, '');
}

/** The offer choice, with the points field following the chosen offer's price. */
function offerFields(offers: readonly Offer[]): { elements: HTMLElement[]; syncPrice: () => void } {
  const offer = h(
    'select',
    { name: 'offerId', id: 'redeem-offer' },
    ...offers.map((each) =>
      h('option', { value: each.offerId }, `${each.title} · ${formatPoints(each.priceCentipoints)}`),
    ),
  );
  const points = h('input', {
    name: 'points',
    id: 'redeem-points',
    'data-field': 'centipoints',
    required: true,
    inputmode: 'decimal',
    autocomplete: 'off',
  });
  const syncPrice = (): void => {
    const chosen = offers.find((each) => each.offerId === offer.value);
    if (chosen !== undefined) points.value = String(chosen.priceCentipoints / 100);
  };
  offer.addEventListener('change', syncPrice);
  syncPrice();
  return { elements: [field(t('redeem.offer'), offer), field(t('redeem.points'), points)], syncPrice };
}

function redeemForm(session: Session, offers: readonly Offer[]): HTMLFormElement {
  const status = statusArea();
  const offer = offerFields(offers);
  const mode = h(
    'select',
    { name: 'mode', id: 'redeem-mode' },
    h('option', { value: 'redeem' }, t('redeem.mode.redeem')),
    h('option', { value: 'hold' }, t('redeem.mode.hold')),
  );
  const code = h('input', {
    name: 'code',
    id: 'redeem-code',
    'data-field': 'spendCode',
    // A volunteer's one-time code is not kept for after a new sign-in (lib/form-draft.ts).
    'data-no-draft': 'true',
    required: true,
    autocomplete: 'off',
    inputmode: 'numeric',
    spellcheck: 'false',
  });
  const button = h('button', { type: 'submit' }, t('redeem.submit'));
  const form = h(
    'form',
    {},
    field(t('redeem.code'), code),
    ...offer.elements,
    field(t('redeem.mode'), mode),
    button,
    status.element,
  );
  // One key until the write succeeds: a retry after a timeout or a lost answer repeats the same
  // request, which the API answers with the redemption it already made. A new key would be a
  // second use of the code, refused as used, while the points had gone with the first.
  let idempotencyKey = crypto.randomUUID();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = formValues(form);
    const hold = values.mode === 'hold';
    const body = {
      spendCode: spendCodeDigits(values.code ?? ''),
      offerId: values.offerId,
      centipoints: centipointsOf(values.points ?? ''),
    };
    void submitting(button, status, async () => {
      const partner = encodeURIComponent(session.scopeId ?? '');
      const done = await call<{ centipoints: number }>(
        session,
        `/v1/partners/${partner}/${hold ? 'holds' : 'redemptions'}`,
        { method: 'POST', body, idempotencyKey, retryReusesKey: true },
      );
      idempotencyKey = crypto.randomUUID();
      form.reset();
      offer.syncPrice();
      status.show('ok', t(hold ? 'redeem.held' : 'redeem.done', { points: formatPoints(done.centipoints) }));
    });
  });
  return form;
}

export const partnerRedeemScreen: Screen = async (context) => {
  const session = requireSession(context);
  let offers: readonly Offer[];
  try {
    offers = await offersOf(session);
  } catch (error) {
    return failedScreen(t('redeem.title'), error);
  }
  const body =
    offers.length === 0
      ? [h('p', {}, t('redeem.noOffers')), h('p', {}, h('a', { href: '#/partner/offers' }, t('nav.offers')))]
      : [h('p', {}, t('redeem.intro')), redeemForm(session, offers)];
  return h('section', {}, h('h2', {}, t('redeem.title')), noticeOf(context), ...body);
};
