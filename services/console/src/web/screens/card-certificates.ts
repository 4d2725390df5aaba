/**
 * On the desk's volunteer card: issue a service certificate (志愿服务证明) with the issuer's
 * details, print any certificate issued (the API's A4 PDF, downloaded with the desk's key), and
 * give a volunteer who is present an activation code for their own sign-in (first time, or a
 * forgotten passphrase). The code is shown once and kept nowhere by the console.
 */
import { call } from '../lib/api.js';
import { certificatePdfPath, downloadPdf } from '../lib/download.js';
import { field, formValues, h } from '../lib/dom.js';
import { formatInstant, t } from '../lib/i18n.js';
import { describeError, resultArea, statusArea, submitting } from '../lib/screen.js';
import type { Session } from '../lib/session.js';
import { certificateItem, type CertificateListing } from './volunteer-certificates.js';

function input(name: string): HTMLInputElement {
  return h('input', { name, id: `certificate-${name}`, required: true, autocomplete: 'off' });
}

export function cardCertificates(
  session: Session,
  volunteerId: string,
  certificates: readonly CertificateListing[],
  reload: (notice: string) => void,
): HTMLElement {
  const path = `/v1/volunteers/${encodeURIComponent(volunteerId)}`;
  const status = statusArea();
  const button = h('button', { type: 'submit', id: 'issue-certificate' }, t('dCertificate.issue'));
  const form = h(
    'form',
    { id: 'certificate-form' },
    field(t('dCertificate.organisationName'), input('organisationName')),
    field(t('dCertificate.personInCharge'), input('personInCharge')),
    field(t('dCertificate.handler'), input('handler')),
    field(t('dCertificate.contact'), input('contact')),
    button,
    status.element,
  );
  // Kept until the certificate is issued *and* printed: a retry after a failed download (or an
  // answer that never came) repeats the same request, which the API answers with the certificate
  // it already issued (docs/api.md, Idempotency) instead of issuing a second one.
  let issueKey = crypto.randomUUID();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const issuer = formValues(form);
    void submitting(button, status, async () => {
      const issued = await call<{ certificateNumber: string }>(session, `${path}/certificates`, {
        method: 'POST',
        body: { issuer },
        idempotencyKey: issueKey,
        retryReusesKey: true,
      });
      const number = issued.certificateNumber;
      try {
        // Printed at once: the person is at the desk waiting for the paper.
        await downloadPdf(session, certificatePdfPath(volunteerId, number), `${number}.pdf`);
      } catch (error) {
        status.show('error', t('dCertificate.printFailed', { number, reason: describeError(error) }));
        return;
      }
      issueKey = crypto.randomUUID();
      reload(t('dCertificate.issued', { number }));
    });
  });
  return h(
    'div',
    { class: 'actions' },
    h('h3', {}, t('dCertificate.title')),
    certificates.length === 0
      ? h('p', {}, t('vCertificates.none'))
      : h(
          'ul',
          { id: 'desk-certificates', class: 'timeline' },
          ...[...certificates]
            .reverse()
            .map((certificate) =>
              certificateItem(session, volunteerId, certificate, t('dCertificate.print')),
            ),
        ),
    h('details', {}, h('summary', {}, t('dCertificate.new')), form),
  );
}

export function cardActivation(session: Session, volunteerId: string): HTMLElement {
  const status = statusArea();
  const area = resultArea({ id: 'activation-code', 'aria-live': 'polite' }, { shownOnce: true });
  const button = h('button', { type: 'button', id: 'issue-activation-code' }, t('dActivation.issue'));
  button.addEventListener('click', () => {
    void submitting(button, status, async () => {
      // A repeat issues another code and voids the earlier one (docs/api.md).
      const issued = await call<{ activationCode: string; volunteerNumber: string; expiresAt: string }>(
        session,
        `/v1/volunteers/${encodeURIComponent(volunteerId)}/activation-codes`,
        { method: 'POST', body: {}, idempotencyKey: crypto.randomUUID() },
      );
      area.replaceChildren(
        h('p', {}, t('dActivation.shown', { number: issued.volunteerNumber })),
        h('p', { class: 'spend-code', 'data-figure': 'activation-code' }, issued.activationCode),
        h('p', {}, t('spendCode.expires', { time: formatInstant(issued.expiresAt) })),
      );
    });
  });
  return h('div', { class: 'actions' }, h('h3', {}, t('dActivation.title')), button, status.element, area);
}
