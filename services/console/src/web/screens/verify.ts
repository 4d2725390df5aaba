/**
 * The public verification page a certificate's QR code opens (`/console/verify/<number>`): no
 * sign-in, in Chinese first, saying whether the certificate is genuine from
 * `GET /v1/certificates/:number/verification`, with the masked details that route gives (never
 * more than the paper shows).
 */
import { ApiError, callPublic } from '../lib/api.js';
import { field, h } from '../lib/dom.js';
import { formatHours, personalText, t } from '../lib/i18n.js';
import { describeError, type Screen } from '../lib/screen.js';
import type { MessageKey } from '../messages/zh-cn.js';

interface Verification {
  readonly certificateNumber: string;
  readonly valid: boolean;
  readonly status: 'valid' | 'amended' | 'unknown';
  readonly certificate: {
    readonly holderName: string;
    readonly nationalIdMasked: string;
    readonly confirmedMinutes: number;
    readonly issueDate: string;
    readonly issuer: { readonly organisationName: string; readonly community: string };
  } | null;
}

function details(verification: Verification): HTMLElement | null {
  const certificate = verification.certificate;
  if (certificate === null) return null;
  const rows: [MessageKey, string][] = [
    ['verify.holder', personalText(certificate.holderName)],
    ['verify.nationalId', personalText(certificate.nationalIdMasked)],
    ['verify.hours', formatHours(certificate.confirmedMinutes)],
    ['verify.issueDate', certificate.issueDate],
    ['verify.issuer', certificate.issuer.organisationName],
    ['verify.community', certificate.issuer.community],
  ];
  return h(
    'dl',
    { class: 'figures' },
    ...rows.flatMap(([key, value]) => [h('dt', {}, t(key)), h('dd', { 'data-figure': key }, value)]),
  );
}

async function verdict(number: string): Promise<HTMLElement> {
  try {
    const verification = await callPublic<Verification>(
      `/v1/certificates/${encodeURIComponent(number)}/verification`,
    );
    const key: MessageKey = `verify.${verification.status}`;
    return h(
      'div',
      { id: 'verify-result' },
      h(
        'p',
        {
          class: `verdict ${verification.valid ? 'ok' : 'error'}`,
          role: 'status',
          'data-status': verification.status,
        },
        t(key),
      ),
      h('p', {}, t('verify.number', { number: verification.certificateNumber })),
      details(verification),
    );
  } catch (error) {
    // A number that cannot be one (wrong shape or check character) is as unknown as any other.
    if (error instanceof ApiError && error.code === 'VALIDATION_FAILED')
      return h(
        'div',
        { id: 'verify-result' },
        h('p', { class: 'verdict error', role: 'status', 'data-status': 'unknown' }, t('verify.unknown')),
      );
    return h('div', { id: 'verify-result' }, h('p', { class: 'error', role: 'alert' }, describeError(error)));
  }
}

export const verifyScreen: Screen = async (context) => {
  const number = decodeURIComponent(context.params[0] ?? '');
  const input = h('input', {
    id: 'verify-number',
    name: 'number',
    value: number,
    required: true,
    spellcheck: 'false',
  });
  const form = h(
    'form',
    {},
    field(t('verify.numberLabel'), input),
    h('button', { type: 'submit' }, t('verify.submit')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    context.navigate(`/verify/${encodeURIComponent(input.value.trim())}`);
  });
  return h(
    'section',
    { class: 'phone' },
    h('h2', {}, t('verify.title')),
    number === '' ? h('p', {}, t('verify.intro')) : await verdict(number),
    form,
  );
};
