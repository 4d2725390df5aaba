/**
 * Saves a PDF the API answers with the session's key. A plain link cannot send the key, so the
 * console fetches the file and hands the browser an object URL to save or open; the URL is
 * revoked a minute later (the browser has the file by then).
 */
import { callBlob } from './api.js';
import type { Session } from './session.js';

const OBJECT_URL_LIFETIME_MS = 60_000;

export async function downloadPdf(session: Session, path: string, fileName: string): Promise<void> {
  const blob = await callBlob(session, path);
  const url = URL.createObjectURL(new Blob([blob], { type: 'application/pdf' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), OBJECT_URL_LIFETIME_MS);
}

/** The API path of a certificate's PDF. */
export function certificatePdfPath(volunteerId: string, certificateNumber: string): string {
  return `/v1/volunteers/${encodeURIComponent(volunteerId)}/certificates/${encodeURIComponent(certificateNumber)}.pdf`;
}
