/**
 * A partner's offers (`GET /v1/partners/:id/offers`) and publishing a new one, priced in points
 * and, for a 低偿 (low-cost) offer, a cash co-payment typed in yuan and sent in fen.
 */
import { call } from '../lib/api.js';
import { field, formValues, h } from '../lib/dom.js';
import { fenOf, formatPoints, formatYuan, t } from '../lib/i18n.js';
import {
  describeError,
  noticeOf,
  requireSession,
  statusArea,
  submitting,
  type Screen,
  type ScreenContext,
} from '../lib/screen.js';
import type { Session } from '../lib/session.js';
import { dataTable } from '../lib/table.js';

export interface Offer {
  readonly offerId: string;
  readonly title: string;
  readonly priceCentipoints: number;
  /** 低偿: cash asked on top of the points, in fen; 0 (or absent from older servers) when none. */
  readonly cashCopayFen?: number;
}

/** An offer's price: its points, and `+ ¥x.xx` when it asks cash too. */
export function formatPrice(offer: Offer): string {
  const cash = offer.cashCopayFen ?? 0;
  return cash > 0
    ? `${formatPoints(offer.priceCentipoints)} + ${formatYuan(cash)}`
    : formatPoints(offer.priceCentipoints);
}

export async function offersOf(session: Session): Promise<readonly Offer[]> {
  const partner = encodeURIComponent(session.scopeId ?? '');
  return (await call<{ offers: Offer[] }>(session, `/v1/partners/${partner}/offers`)).offers;
}

/**
 * Points as typed (up to two decimals, full-width digits and point folded) to centipoints; NaN
 * when it is not such a number.
 */
export function centipointsOf(points: string): number {
  const typed = points.normalize('NFKC').trim();
  return /^\d+(\.\d{1,2})?$/.test(typed) ? Math.round(Number(typed) * 100) : Number.NaN;
}

/** A screen that could not load its data: its heading and the error in words. */
export function failedScreen(title: string, error: unknown): HTMLElement {
  return h(
    'section',
    {},
    h('h2', {}, title),
    h('p', { class: 'error', role: 'alert' }, describeError(error)),
  );
}

function publishForm(session: Session, context: ScreenContext): HTMLFormElement {
  const status = statusArea();
  let idempotencyKey = crypto.randomUUID();
  const input = (name: string, id: string, extra: Record<string, string | boolean> = {}) =>
    h('input', { name, id, required: true, autocomplete: 'off', ...extra });
  const button = h('button', { type: 'submit' }, t('offers.publish'));
  const form = h(
    'form',
    {},
    field(t('offers.offerId'), input('offerId', 'offer-id', { pattern: '[A-Za-z0-9._:\\-]+' })),
    field(t('offers.offerTitle'), input('title', 'offer-title')),
    field(
      t('offers.price'),
      input('price', 'offer-price', { inputmode: 'decimal', 'data-field': 'priceCentipoints' }),
    ),
    field(
      t('offers.cash'),
      h('input', {
        name: 'cash',
        id: 'offer-cash',
        autocomplete: 'off',
        inputmode: 'decimal',
        'data-field': 'cashCopayFen',
      }),
      h('p', { class: 'hint' }, t('offers.cashHint')),
    ),
    button,
    status.element,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = formValues(form);
    const cashCopayFen = fenOf(values.cash ?? '');
    if (Number.isNaN(cashCopayFen)) {
      status.show('error', t('offers.cashInvalid'));
      return;
    }
    const body = {
      offerId: values.offerId,
      title: values.title,
      priceCentipoints: centipointsOf(values.price ?? ''),
      ...(cashCopayFen > 0 ? { cashCopayFen } : {}),
    };
    void submitting(button, status, async () => {
      const partner = encodeURIComponent(session.scopeId ?? '');
      await call(session, `/v1/partners/${partner}/offers`, {
        method: 'POST',
        body,
        idempotencyKey,
        retryReusesKey: true,
      });
      idempotencyKey = crypto.randomUUID();
      context.navigate('/partner/offers', t('offers.published', { title: values.title ?? '' }));
    });
  });
  return form;
}

function offersTable(offers: readonly Offer[]): HTMLElement {
  if (offers.length === 0) return h('p', {}, t('offers.none'));
  const columns = ['offers.offerTitle', 'offers.offerId', 'offers.priceTotal'] as const;
  return dataTable(
    'offers',
    t('offers.list'),
    columns,
    offers.map((offer) =>
      h(
        'tr',
        {},
        h('td', {}, offer.title),
        h('td', {}, h('code', {}, offer.offerId)),
        h('td', {}, formatPrice(offer)),
      ),
    ),
  );
}

export const partnerOffersScreen: Screen = async (context) => {
  const session = requireSession(context);
  let offers: readonly Offer[];
  try {
    offers = await offersOf(session);
  } catch (error) {
    return failedScreen(t('offers.title'), error);
  }
  return h(
    'section',
    {},
    h('h2', {}, t('offers.title')),
    noticeOf(context),
    offersTable(offers),
    h('h3', {}, t('offers.new')),
    publishForm(session, context),
  );
};
