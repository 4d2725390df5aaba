/**
 * GET /v1/volunteers/:volunteerId/certificates/:certificateNumber.pdf: the certificate the JSON
 * route returns, as a printable A4 PDF. Same roles, same scope, same 404 and the same view (so
 * after an erasure the PDF prints the placeholder the JSON shows); only the rendering differs.
 */
import { z } from 'zod';
import { idSchema } from '@timebank/domain';
import { volunteerScope } from '../auth/domain-scope.js';
import { ProblemError } from '../http/problem.js';
import {
  certificateQuery,
  includeOf,
  readCertificateView,
  type CertificateView,
} from './certificate-routes.js';
import type { CommandRouteDependencies } from './command-route.js';
import type { TypedApp } from './typed-app.js';
import { certificateFont } from './certificate-font.js';
import type * as CertificatePdf from './certificate-pdf.js';

/**
 * The PDF renderer, loaded on the first PDF asked for: pdfkit, fontkit, brotli and qrcode are
 * several megabytes of modules (source, compiled code and tables) that a server which never
 * prints a certificate would otherwise hold for its whole life.
 */
let renderer: Promise<typeof CertificatePdf> | null = null;
const pdfRenderer = (): Promise<typeof CertificatePdf> => {
  renderer ??= import('./certificate-pdf.js').catch((error: unknown) => {
    renderer = null;
    throw error;
  });
  return renderer;
};

// As the JSON certificate routes: the desk of the volunteer's community, an administrator, or the
// signed-in volunteer for their own certificate.
const SELF = ['desk', 'admin', 'volunteer'] as const;

/** Where a certificate's QR code leads: the console's verification page (docs/console.md). */
export function verificationPagePath(certificateNumber: string): string {
  return `/console/verify/${encodeURIComponent(certificateNumber)}`;
}

/** The registered names of the organisations the certificate's activities name (a reader knows them by name). */
async function organisationNamesOf(
  ledger: CommandRouteDependencies['ledger'],
  view: CertificateView,
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const organisationId of new Set(view.activities.map((activity) => activity.organisationId))) {
    const { state } = await ledger.load('organisation', organisationId);
    if (state.name !== null) names.set(organisationId, state.name);
  }
  return names;
}

export interface CertificatePdfRouteDependencies {
  readonly ledger: CommandRouteDependencies['ledger'];
  readonly certificateNumberParam: z.ZodString;
}

/** A DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port. */
const HOST_PATTERN =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export async function certificatePdfRoute(
  app: TypedApp,
  { ledger, certificateNumberParam }: CertificatePdfRouteDependencies,
): Promise<void> {
  app.get(
    '/v1/volunteers/:volunteerId/certificates/:certificateNumber.pdf',
    {
      config: { access: { roles: SELF, scope: volunteerScope(ledger, { volunteer: true }) } },
      schema: {
        tags: ['desks'],
        summary: 'The certificate as an A4 PDF (志愿服务证明) with a QR code of its verification URL',
        params: z.strictObject({ volunteerId: idSchema, certificateNumber: certificateNumberParam }),
        querystring: certificateQuery,
        produces: ['application/pdf'],
        response: {
          200: z.any().describe('application/pdf: one A4 page, the CJK font embedded as a subset'),
        },
      },
    },
    async (request, reply) => {
      const view = await readCertificateView(
        ledger,
        request.params.volunteerId,
        request.params.certificateNumber,
        includeOf(request.query),
      );
      // The console's public page, which asks GET /v1/certificates/:n/verification and says in
      // Chinese whether the certificate is genuine: a person scanning the QR reads a sentence, not JSON.
      // Printed and encoded in the QR: a Host header that is not a host name (empty, or carrying a
      // path or query such as `evil.example/phish?x=`) would print someone else's URL.
      if (!HOST_PATTERN.test(request.host))
        throw ProblemError.http(
          'MALFORMED_REQUEST',
          'the Host header is not a host name (and optional port): the certificate prints its verification URL from it',
        );
      const verificationUrl = `${request.protocol}://${request.host}${verificationPagePath(view.certificateNumber)}`;
      const { renderCertificatePdf } = await pdfRenderer();
      const pdf = await renderCertificatePdf(
        view,
        await certificateFont(),
        verificationUrl,
        await organisationNamesOf(ledger, view),
      );
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="${view.certificateNumber}.pdf"`)
        .header('cache-control', 'private, no-store')
        .send(pdf);
    },
  );
}
