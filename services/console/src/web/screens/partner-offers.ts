/** A partner's offers (`GET /v1/partners/:id/offers`) and publishing a new one, priced in points. */
import { call } from '../lib/api.js';
import { field, formValues, h } from '../lib/dom.js';
import { formatPoints, t } from '../lib/i18n.js';
import {
  describeError,
  noticeOf,
  requireSession,
  statusArea,
  submitting,
  type Screen,
} from '../lib/screen.js';
import type { Session } from '../lib/session.js';

export interface Offer {
  readonly offerId: string;
  readonly title: string;
  readonly priceCentipoints: number;
}

export async function offersOf(session: Session): Promise<readonly Offer[]> {
  const partner = encodeURIComponent(session.scopeId ?? '');
  return (await call<{ offers: Offer[] }>(session, `/v1/partners/${partner}/offers`)).offers;
}

/** Points as typed (up to two decimals) to centipoints; NaN when it is not such a number. */
export function centipointsOf(points: string): number {
  return /^\d+(\.\d{1,2})?$/.test(points) ? Math.round(Number(points) * 100) : Number.NaN;
}

export const partnerOffersScreen: Screen = async (context) => {
  const session = requireSession(context);
  let offers: readonly Offer[];
  try {
    offers = await offersOf(session);
  } catch (error) {
    return h(
      'section',
      {},
      h('h2', {}, t('offers.title')),
      h('p', { class: 'error', role: 'alert' }, describeError(error)),
    );
  }
  const status = statusArea();
  let idempotencyKey = crypto.randomUUID();
  const button = h('button', { type: 'submit' }, t('offers.publish'));
  const form = h(
    'form',
    {},
    field(
      t('offers.offerId'),
      h('input', {
        name: 'offerId',
        id: 'offer-id',
        required: true,
        pattern: '[A-Za-z0-9._:-]+',
        autocomplete: 'off',
      }),
    ),
    field(
      t('offers.offerTitle'),
      h('input', { name: 'title', id: 'offer-title', required: true, autocomplete: 'off' }),
    ),
    field(
      t('offers.price'),
      h('input', {
        name: 'price',
        id: 'offer-price',
        required: true,
        inputmode: 'decimal',
        autocomplete: 'off',
      }),
    ),
    button,
    status.element,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = formValues(form);
    void submitting(button, status, async () => {
      await call(session, `/v1/partners/${encodeURIComponent(session.scopeId ?? '')}/offers`, {
        method: 'POST',
        body: {
          offerId: values.offerId,
          title: values.title,
          priceCentipoints: centipointsOf(values.price ?? ''),
        },
        idempotencyKey,
      });
      idempotencyKey = crypto.randomUUID();
      context.navigate('/partner/offers', t('offers.published', { title: values.title ?? '' }));
    });
  });
  const list =
    offers.length === 0
      ? h('p', {}, t('offers.none'))
      : h(
          'table',
          { id: 'offers' },
          h('caption', {}, t('offers.list')),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, t('offers.offerTitle')),
              h('th', { scope: 'col' }, t('offers.offerId')),
              h('th', { scope: 'col' }, t('offers.price')),
            ),
          ),
          h(
            'tbody',
            {},
            ...offers.map((offer) =>
              h(
                'tr',
                {},
                h('td', {}, offer.title),
                h('td', {}, h('code', {}, offer.offerId)),
                h('td', {}, formatPoints(offer.priceCentipoints)),
              ),
            ),
          ),
        );
  return h(
    'section',
    {},
    h('h2', {}, t('offers.title')),
    noticeOf(context),
    list,
    h('h3', {}, t('offers.new')),
    form,
  );
};
