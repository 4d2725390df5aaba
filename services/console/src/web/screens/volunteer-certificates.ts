/**
 * The volunteer's certificates (志愿服务证明), each opened as the PDF the desk prints, with the
 * link to its public verification page; a certificate whose records were corrected since is
 * marked so (the certificate itself never changes).
 */
import { call } from '../lib/api.js';
import { certificatePdfPath, downloadPdf } from '../lib/download.js';
import { h } from '../lib/dom.js';
import { formatHours, t } from '../lib/i18n.js';
import { statusArea, submitting, type Screen } from '../lib/screen.js';
import type { Session } from '../lib/session.js';
import { failedScreen, volunteerSession } from './volunteer-common.js';

export interface CertificateListing {
  readonly certificateNumber: string;
  readonly sequence: number;
  readonly issueDate: string;
  readonly confirmedMinutes: number;
  readonly amended: boolean;
}

export async function readCertificates(session: Session, volunteerId: string): Promise<CertificateListing[]> {
  const path = `/v1/volunteers/${encodeURIComponent(volunteerId)}/certificates`;
  return (await call<{ certificates: CertificateListing[] }>(session, path)).certificates;
}

/** One certificate with its open-PDF button, for the volunteer's list and the desk's card alike. */
export function certificateItem(
  session: Session,
  volunteerId: string,
  certificate: CertificateListing,
  label: string = t('vCertificates.open'),
): HTMLElement {
  const status = statusArea();
  const open = h(
    'button',
    { type: 'button', class: 'open-pdf', 'data-certificate': certificate.certificateNumber },
    label,
  );
  open.addEventListener('click', () => {
    void submitting(open, status, () =>
      downloadPdf(
        session,
        certificatePdfPath(volunteerId, certificate.certificateNumber),
        `${certificate.certificateNumber}.pdf`,
      ),
    );
  });
  return h(
    'li',
    {},
    h('p', { class: 'what' }, t('vCertificates.number', { number: certificate.certificateNumber })),
    h(
      'p',
      {},
      t('vCertificates.summary', {
        date: certificate.issueDate,
        hours: formatHours(certificate.confirmedMinutes),
      }),
    ),
    certificate.amended ? h('p', { class: 'error' }, t('vCertificates.amended')) : null,
    h(
      'div',
      { class: 'button-row' },
      open,
      h(
        'a',
        { href: `/console/verify/${encodeURIComponent(certificate.certificateNumber)}` },
        t('vCertificates.verify'),
      ),
    ),
    status.element,
  );
}

export const volunteerCertificatesScreen: Screen = async (context) => {
  const session = volunteerSession(context);
  try {
    const certificates = await readCertificates(session, session.scopeId ?? '');
    return h(
      'section',
      { class: 'phone' },
      h('h2', {}, t('vCertificates.title')),
      certificates.length === 0
        ? h('p', {}, t('vCertificates.none'))
        : h(
            'ul',
            { id: 'certificates', class: 'timeline' },
            ...[...certificates]
              .reverse()
              .map((certificate) => certificateItem(session, session.scopeId ?? '', certificate)),
          ),
    );
  } catch (error) {
    return failedScreen('vCertificates.title', error);
  }
};
